#!/usr/bin/env node
/** The `activations` command. */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), {
  print: (line) => console.log(line),
  progress: (line) => process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`),
  error: (line) => console.error(line),
});
// a WebGPU device (npm webgpu) can keep the event loop alive after dispose
process.exit();
