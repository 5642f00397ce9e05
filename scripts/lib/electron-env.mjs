// The environment `npm start` gives Electron: the user's, minus what only `electron-vite dev` may set
// (a stale ELECTRON_RENDERER_URL in a shell must never point the app at another page; issue 10 §10),
// plus the database and the Electron-ABI SQLite binding.

/** Variables electron-vite's dev command sets for the Electron it starts; never passed on by npm start. */
export const DEV_ONLY_VARIABLES = ['ELECTRON_RENDERER_URL', 'NODE_ENV_ELECTRON_VITE'];

export function electronChildEnv(env, { bindingPath, db }) {
  const child = { ...env, LEDGERSCOPE_SQLITE_BINDING: bindingPath, LEDGERSCOPE_DB: db };
  for (const name of DEV_ONLY_VARIABLES) delete child[name];
  return child;
}
