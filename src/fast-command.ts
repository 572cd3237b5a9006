/*
 * The fast path's command runner (see src/fast.ts): parses a hot command's argv with its spec
 * (core/cli/fast-parse.ts) and runs its body (core/cli/hot/<name>.ts) with the same CommandIo and error
 * reporting the oclif command uses; declines (false, nothing done) whatever oclif must handle.
 */
import {csvToStdout} from './core/cli/csv-output.js'
import {fastParse} from './core/cli/fast-parse.js'
import {commandIo, configCache, reportError, writePlainJson, type CommandIo} from './core/cli/io.js'
import {baseFlags, type FlagsSpec} from './core/cli/spec.js'
import {isTerminal, useDirectOutput} from './core/cli/stdio.js'
import {enableReadCache} from './core/store/read-cache.js'
import {fastStart} from './fast.js'

/** A command the fast path runs: its flag spec and body (core/cli/hot/<name>.ts). */
export interface HotCommand {
  flags: FlagsSpec
  // each body takes its own spec's values, which fastParse produced from that spec
  run(flags: never, io: CommandIo): Promise<unknown>
}

// oclif's --json (enableJsonFlag); its description only matters to oclif's help
const jsonFlag = {json: {type: 'boolean', description: 'Format output as json.'}} satisfies FlagsSpec

/**
 * Runs `command` (named by argv[0]) if the fast path can: true = done (output written, process.exitCode
 * set), false = nothing happened and oclif should run. `root` is the package directory.
 */
export async function runCommand(argv: string[], root: string, command: HotCommand): Promise<boolean> {
  const start = fastStart(root)
  if (start === null) return false
  const args = argv.slice(1)
  if (command.flags.csv) csvToStdout(args) // as the oclif commands do before parsing
  const json = args.includes('--json')
  // oclif colours JSON for a terminal (BaseCommand.logJson): leave that to it
  if (json && isTerminal(1) && !process.env.NO_COLOR) return false
  const flags = fastParse(args, {...command.flags, ...baseFlags, ...jsonFlag})
  if (!flags) return false

  useDirectOutput() // (core/cli/stdio.ts)
  const io = commandIo({json, wide: flags.wide === true, dirs: start.dirs})
  // Read replay (core/store/read-cache.ts): a repeated read of an unchanged database skips sql.js.
  // Only here, for the hot read commands run as a short process; keyed by the build like the config cache.
  enableReadCache(configCache(start.dirs))
  let result: unknown
  try {
    result = await command.run(flags as never, io)
  } catch (error) {
    reportError(error as Error, json, writePlainJson)
  }
  if (result && json) writePlainJson(result)
  return true
}
