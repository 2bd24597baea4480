/** An error the user can act on: the message names what is missing or wrong, and where to look. */
export class StackError extends Error {
  override readonly name = 'StackError';
}
