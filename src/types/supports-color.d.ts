// supports-color 8 (oclif's dependency; the fast path asks it the question oclif's help asks)
declare module 'supports-color' {
  interface Level {
    level: number
    hasBasic: boolean
    has256: boolean
    has16m: boolean
  }
  const supportsColor: {stdout: Level | false; stderr: Level | false}
  export default supportsColor
}
