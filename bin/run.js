#!/usr/bin/env node
// The bundle holds oclif and every command (scripts/bundle.mjs); oclif finds the commands in it too.
const {execute} = await import('../dist/bundle/main.js')

await execute({dir: import.meta.url})
// Every command awaits its own work (writes, sockets) before returning; what can be left is libuv
// closing file handles oclif opened, which on these machines kept the process ~50 ms longer.
// stdout and stderr are synchronous for files, pipes and terminals on POSIX, so nothing is cut.
process.exit()
