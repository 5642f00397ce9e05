export const DEV_ONLY_VARIABLES: readonly string[];

export function electronChildEnv(
  env: Record<string, string | undefined>,
  options: { bindingPath: string; db: string },
): Record<string, string | undefined>;
