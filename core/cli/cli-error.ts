/** An error the user can act on: printed one line per problem on stderr, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly lines: string[] = [message],
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
