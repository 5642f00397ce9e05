import { useEffect, useRef } from 'react';
import { useApp } from '../state/store';

export const SHORTCUTS: [string, string][] = [
  ['Alt+1 … Alt+6', 'Accounts, Customer timeline, Import, Reconciliation, Settings, Credit liability'],
  ['/', 'Search accounts'],
  ['↑ ↓ PageUp PageDown Home End', 'Move in a table'],
  ['Enter', 'Open the selected account, show the selected entry’s record, or review the selected difference’s adjustment'],
  ['Escape', 'Close a panel or a dialog (the adjustment dialog posts nothing)'],
  ['j k', 'Next and previous reconciliation item (Reconciliation screen)'],
  ['Alt+A', 'Set the as-of instant (Escape leaves the field)'],
  ['?', 'This list'],
];

export function ShortcutsDialog() {
  const open = useApp((state) => state.shortcutsOpen);
  const setOpen = useApp((state) => state.setShortcutsOpen);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="shortcuts-title" onClose={() => setOpen(false)}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button type="submit" autoFocus>
          Close
        </button>
      </form>
    </dialog>
  );
}
