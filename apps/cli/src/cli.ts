/** `activations <command>`: dispatch, usage, and errors turned into messages and exit statuses. */
import { ActivationError, type Registry, UnknownActivationError } from '@activations/core';
import { closestNames } from '@activations/core/backend';
import { UsageError } from './args.js';
import { COMMANDS, type Output } from './commands.js';
import { defaultRegistry } from './registry.js';

export function usage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return [
    'usage: activations <command> [arguments]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Ids and aliases come from `activations list`; parameters from `activations show <id>`.',
  ].join('\n');
}

/**
 * Runs one command line and returns the exit status: 0 done, 2 a mistake in the arguments
 * (unknown command, option or activation: with a suggestion), 1 anything else that failed.
 */
export async function main(argv: readonly string[], out: Output & { error(line: string): void }, registry: Registry = defaultRegistry()): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      out.print(usage());
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) {
      const close = closestNames(name, Object.keys(COMMANDS));
      out.error(`activations: unknown command '${name}'${close.length ? ` (did you mean '${close[0]}'?)` : ''}\n\n${usage()}`);
      return 2;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      out.print(`usage: activations ${command.usage}\n\n${command.summary}`);
      return 0;
    }
    await command.run(rest, registry, out);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      out.error(`activations ${name}: ${error.message}\nusage: activations ${COMMANDS[name!]!.usage}`);
      return 2;
    }
    if (error instanceof UnknownActivationError) {
      out.error(`activations ${name}: ${error.message} (activations list shows every id)`);
      return 2;
    }
    if (error instanceof ActivationError) {
      out.error(`activations ${name}: ${error.message}`);
      return 2;
    }
    out.error(`activations ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    registry.dispose();
  }
}
