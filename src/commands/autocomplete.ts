import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {completionScript, SHELLS, type CompletionCommand, type Shell} from '../core/cli/completion.js'
import {UserError} from '../core/errors.js'

export interface AutocompleteResult {
  shell?: Shell
  script?: string
  portfolios?: string[]
}

export default class Autocomplete extends BaseCommand {
  static override summary = 'Print a shell completion script (bash, zsh or fish): commands, flags and your portfolio names.'
  static override description = `Generated from the commands' own flags, so it completes exactly what exists. Portfolio names (after --portfolio / -p) are read from the config each time Tab is pressed (the --config on the line being completed, else the usual lookup), so they follow your config.`
  static override examples = [
    '<%= config.bin %> autocomplete bash > ~/.local/share/bash-completion/completions/<%= config.bin %>',
    'source <(<%= config.bin %> autocomplete bash)   # in ~/.bashrc',
    '<%= config.bin %> autocomplete zsh > "${fpath[1]}/_<%= config.bin %>"',
    '<%= config.bin %> autocomplete fish > ~/.config/fish/completions/<%= config.bin %>.fish',
  ]
  static override args = {shell: Args.string({description: 'The shell: bash, zsh or fish.', options: [...SHELLS]})}
  static override flags = {
    // What the scripts call at completion time; not for people.
    portfolios: Flags.boolean({description: 'Print the portfolio names of the config, one per line (used by the completion scripts).', hidden: true}),
  }

  async run(): Promise<AutocompleteResult> {
    const {args, flags} = await this.parse(Autocomplete)
    if (flags.portfolios) {
      const {config} = this.context(flags)
      const portfolios = config.portfolios.map((p) => p.name)
      this.print(() => portfolios.join('\n'))
      return {portfolios}
    }
    if (!args.shell) throw new UserError(`Name the shell: ${this.config.bin} autocomplete ${SHELLS.join('|')}`)
    const commands: CompletionCommand[] = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        id: c.id,
        summary: c.summary ?? c.description,
        flags: Object.entries(c.flags ?? {})
          .filter(([, f]) => !f.hidden)
          .map(([name, f]) => ({name, char: f.char, value: f.type === 'option', options: f.type === 'option' ? f.options : undefined, summary: f.summary ?? f.description})),
        arg: (() => {
          const first = Object.entries(c.args ?? {})[0]
          if (!first) return undefined
          return first[1].options ? {options: first[1].options} : first[0] === 'file' ? {file: true} : undefined
        })(),
      }))
    const script = completionScript(args.shell as Shell, commands, this.config.bin)
    // The script itself, unwrapped: it is meant for a file or `source <(...)`.
    if (!this.jsonEnabled()) process.stdout.write(script)
    return {shell: args.shell as Shell, script}
  }
}
