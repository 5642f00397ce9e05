// Vite replaces import.meta.env.DEV in the main bundle: true in a build made by `electron-vite dev`.
declare global {
  interface ImportMeta {
    readonly env?: { readonly DEV?: boolean };
  }
}

export {};
