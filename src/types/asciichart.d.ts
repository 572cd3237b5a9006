/*
 * Minimal types for asciichart 1.5 (CommonJS, ships none): only what the CLI uses.
 * `export =` because the package assigns to module.exports; import it as a default import.
 */
declare module 'asciichart' {
  interface PlotConfig {
    /** Force the y range (otherwise the series' min / max). */
    min?: number
    max?: number
    /** Columns reserved left of the plot for the y label and axis (default 3). */
    offset?: number
    /** Label padding string, used by the default format (default 11 spaces). */
    padding?: string
    /** Rows of the plot area (default: the value range). */
    height?: number
    /** ANSI colour sequences, one per series (cycled). */
    colors?: string[]
    /** 10 drawing symbols: ┼ ┤ ╶ ╴ ─ ╰ ╭ ╮ ╯ │ by default. */
    symbols?: string[]
    /** y label for a row's value. */
    format?: (value: number, index: number) => string
  }
  interface AsciiChart {
    plot(series: number[] | number[][], config?: PlotConfig): string
    colored(char: string, color?: string): string
    black: string
    red: string
    green: string
    yellow: string
    blue: string
    magenta: string
    cyan: string
    lightgray: string
    default: string
    darkgray: string
    lightred: string
    lightgreen: string
    lightyellow: string
    lightblue: string
    lightmagenta: string
    lightcyan: string
    white: string
    reset: string
  }
  const asciichart: AsciiChart
  export = asciichart
}
