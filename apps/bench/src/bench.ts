/**
 * `pnpm bench`: runs the benchmark (src/run.ts) and prints its table, or JSON with --json.
 *
 *   pnpm bench                                   # N = 65,536 and 4,194,304
 *   pnpm bench -- --n 65536 --only sigmoid,gelu --json
 */
import { formatBench, runBench } from './run.js';

function parseArgs(argv: readonly string[]) {
  const args: { sizes?: number[]; only?: string[]; json: boolean; peers: boolean } = {
    json: false,
    peers: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--no-peers') args.peers = false;
    else if (a === '--n') args.sizes = argv[++i]!.split(',').map(Number);
    else if (a === '--only') args.only = argv[++i]!.split(',');
    else if (a !== '--')
      throw new Error(`unknown argument '${a}'; use --n N[,N], --only id[,id], --no-peers, --json`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const result = await runBench({
  ...args,
  progress: args.json
    ? undefined
    : (message, done, total) => console.log(`  [${done + 1}/${total}] measuring ${message} …`),
});
console.log(args.json ? JSON.stringify(result, null, 2) : formatBench(result));
