import type { ImportPreviewSummary } from '../../../../core/api/types';
import { Amount } from '../../components/Amount';
import { formatCount, formatCountOf, formatDate, formatKind } from '../../format';

/** What the import would bring, before anything is written: kinds, accounts, dates, totals, news (issue 14). */
export function PreviewSummary({ summary }: { summary: ImportPreviewSummary }) {
  const nothingNew = summary.new_records === 0;
  return (
    <section className="panel preview-summary" aria-labelledby="preview-summary-title" data-testid="preview-summary">
      <h3 id="preview-summary-title" tabIndex={-1}>Before anything is written</h3>
      <p data-testid="preview-news" className={nothingNew ? 'notice' : undefined}>
        {summary.new_records === null
          ? `${formatCountOf(summary.records, 'record')} read; not compared with the database until the problems are fixed.`
          : nothingNew
            ? `Nothing new: all ${formatCountOf(summary.records, 'record')} are already in the database. Importing would change nothing.`
            : `${formatCountOf(summary.new_records, 'new record')} to write, ${formatCount(summary.already_stored ?? 0)} already in the database.`}
        {summary.first_at === null ? '' : ` Dated ${formatDate(summary.first_at)} to ${formatDate(summary.last_at)} (UTC).`}
      </p>
      {summary.outliers.length > 0 ? (
        <div className="notice-warning" role="alert" data-testid="preview-outliers">
          <p>
            <strong>
              Possible unit error: {formatCountOf(summary.outliers.length, 'amount')} at least a thousand times the file’s usual amount.
            </strong>{' '}
            Check that amounts are in the right unit (cents read as dollars?) before importing.
          </p>
          <ul>
            {summary.outliers.map((outlier) => (
              <li key={`${outlier.file}|${outlier.id}|${outlier.line ?? outlier.pointer ?? ''}`}>
                {outlier.file}
                {outlier.line === null ? '' : `, line ${outlier.line}`}: <code>{outlier.id}</code> <Amount value={outlier.amount} unit={outlier.unit} /> (usual{' '}
                <Amount value={outlier.typical} unit={outlier.unit} />)
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="summary-grid">
        <table className="compact" data-testid="preview-by-kind">
          <caption>Records by kind</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col" className="right">
                Records
              </th>
            </tr>
          </thead>
          <tbody>
            {summary.by_kind.map((row) => (
              <tr key={row.kind}>
                <td>{formatKind(row.kind)}</td>
                <td className="right">{formatCount(row.records)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="compact" data-testid="preview-totals">
          <caption>Totals per currency or unit</caption>
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col">Kind</th>
              <th scope="col" className="right">
                Records
              </th>
              <th scope="col" className="right">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {summary.totals.map((row) => (
              <tr key={`${row.unit}|${row.kind}`}>
                <td>{row.unit}</td>
                <td>{formatKind(row.kind)}</td>
                <td className="right">{formatCount(row.records)}</td>
                <td className="right">
                  <Amount value={row.total} unit={row.unit} scale={row.scale} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="compact" data-testid="preview-by-account">
          <caption>
            Records by account
            {summary.account_count > summary.accounts.length ? ` (the ${formatCount(summary.accounts.length)} largest of ${formatCount(summary.account_count)})` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Subscription</th>
              <th scope="col">Unit</th>
              <th scope="col" className="right">
                Records
              </th>
            </tr>
          </thead>
          <tbody>
            {summary.accounts.map((row) => (
              <tr key={`${row.customer_id}|${row.subscription_id ?? ''}|${row.unit}`}>
                <td>{row.customer_id === '' ? <span className="muted">no customer</span> : row.customer_id}</td>
                <td>{row.subscription_id ?? <span className="muted">none</span>}</td>
                <td>{row.unit}</td>
                <td className="right">{formatCount(row.records)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
