import { useState } from 'react';
import { call } from '../../api/client';
import { errorMessage } from '../../api/hooks';
import { formatCountOf } from '../../format';

/*
 * The customer mapping CSV (ledger customer id, Stripe customer id) from the Import screen, where people
 * look for it first; Settings lists and edits the mappings. An import is every row or none: a bad file
 * lists each problem with its file, line and field.
 */

interface MappingProblem {
  line: string;
  field: string;
  message: string;
}

/** The host joins the problems with "; ", each "file:line: field: message" (or "file: -: message"). */
function problemsOf(fileName: string, message: string): MappingProblem[] | null {
  const prefix = `${fileName}:`;
  if (!message.startsWith(prefix)) return null;
  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.split(new RegExp(`; (?=${escaped}:)`)).map((text) => {
    const rest = text.slice(prefix.length);
    const withLine = /^(\d+): ([^:]+): ([\s\S]*)$/.exec(rest);
    if (withLine !== null) return { line: withLine[1]!, field: withLine[2]!, message: withLine[3]! };
    const noLine = /^ ?([^:]+): ([\s\S]*)$/.exec(rest);
    return noLine === null ? { line: '', field: '-', message: rest.trim() } : { line: '', field: noLine[1]!, message: noLine[2]! };
  });
}

export function MappingImportPanel() {
  const [result, setResult] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ file: string; message: string } | null>(null);
  const upload = (file: File): void => {
    setResult(null);
    setFailure(null);
    void file
      .text()
      .then((text) => call('mapping.import', { name: file.name, text }))
      .then(
        (list) => {
          const imported = list.mappings.filter((mapping) => mapping.origin === file.name).length;
          setResult(`Imported ${formatCountOf(imported, 'mapping')} from ${file.name}; ${formatCountOf(list.mappings.length, 'mapping')} in all.`);
        },
        (error: unknown) => setFailure({ file: file.name, message: errorMessage(error) }),
      );
  };
  const problems = failure === null ? null : problemsOf(failure.file, failure.message);
  return (
    <section className="panel" aria-labelledby="mapping-import-title" data-testid="mapping-import">
      <h3 id="mapping-import-title">Customer mapping (CSV)</h3>
      <p className="small">
        Links ledger customer ids to Stripe customer ids where they differ, for reconciliation and the customer timeline. Two columns: ledger
        customer id, Stripe customer id (a header row is fine). Every row is imported, or none.
      </p>
      <label className="field">
        <span>Choose a customer mapping CSV</span>
        <input
          type="file"
          accept=".csv,text/csv"
          data-testid="mapping-import-file"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file !== undefined) upload(file);
          }}
        />
      </label>
      {result === null ? null : (
        <p className="success" role="status" data-testid="mapping-import-result">
          {result} <a href="#/settings">See and edit them in Settings</a>
        </p>
      )}
      {failure === null ? null : problems === null ? (
        <div className="error-banner" role="alert" data-testid="mapping-import-error">
          {failure.message}
        </div>
      ) : (
        <div role="alert" data-testid="mapping-import-error">
          <p className="negative-text">
            {formatCountOf(problems.length, 'problem')} in {failure.file}: nothing was written.
          </p>
          <table className="compact problem-list" aria-label="Customer mapping problems" data-testid="mapping-import-problems">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Line</th>
                <th scope="col">Field</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((problem, index) => (
                <tr key={index}>
                  <td>{failure.file}</td>
                  <td>{problem.line}</td>
                  <td>{problem.field === '-' ? 'row' : problem.field}</td>
                  <td>{problem.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
