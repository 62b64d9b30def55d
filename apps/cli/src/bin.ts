#!/usr/bin/env node
/** The `activations` command. */
import { closestNames } from '@activations/core';
import { tour } from './tour.js';

const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<void> }> = {
  tour: { summary: 'a short tour of the catalogue and backends', run: () => tour() },
};

function usage(): string {
  return ['usage: activations <command>', '', ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)].join('\n');
}

const [command, ...rest] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h') {
  console.log(usage());
} else if (COMMANDS[command]) {
  await COMMANDS[command].run(rest);
} else {
  const close = closestNames(command, Object.keys(COMMANDS));
  console.error(`activations: unknown command '${command}'${close.length ? ` (did you mean '${close[0]}'?)` : ''}\n\n${usage()}`);
  process.exitCode = 2;
}
