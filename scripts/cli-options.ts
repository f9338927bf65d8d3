/** The `--name=value` arguments of a script as options (`--flag` alone is 'true'); the other arguments are ignored. */
export function cliOptions(args: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    args
      .filter((arg) => arg.startsWith('--'))
      .map((arg) => {
        const [name, ...value] = arg.slice(2).split('=');
        return [name!, value.join('=') || 'true'];
      }),
  );
}
