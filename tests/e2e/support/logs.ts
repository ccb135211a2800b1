/**
 * What a function wrote, line by line. Powertools Logger writes one JSON object a line (to stdout,
 * or stderr for WARN and ERROR); Powertools Metrics writes EMF objects to stdout; the runtime
 * interface client patches `console`, so a bare `console.*` line comes out as
 * `<timestamp>\t<request id>\t<LEVEL>\t<message>` with the message's newlines turned into `\r`.
 * Anything else (Node's own crash output, say) is kept as raw text.
 */

/** One line the function wrote. */
export interface LogLine {
  readonly stream: 'stdout' | 'stderr'
  readonly text: string
  /** The line as JSON, when it is a JSON object. */
  readonly json: Record<string, unknown> | undefined
  /** The level: Powertools' `level`, or the runtime client's level field. */
  readonly level: string | undefined
  /** The message: Powertools' `message`, or the runtime client's message field. */
  readonly message: string | undefined
  /** The invocation: Powertools' `function_request_id`, or the runtime client's request id. */
  readonly requestId: string | undefined
  /** True for a line the runtime client wrote for a `console.*` call. */
  readonly fromConsole: boolean
  /** True for a Powertools Metrics (EMF) object. */
  readonly metrics: boolean
}

const LEVELS = new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'])

const asObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

const parseLine = (stream: LogLine['stream'], text: string): LogLine => {
  const json = asObject(text)
  if (json !== undefined) {
    return {
      stream,
      text,
      json,
      level: str(json.level),
      message: str(json.message),
      requestId: str(json.function_request_id),
      fromConsole: false,
      metrics: typeof json._aws === 'object' && json._aws !== null,
    }
  }
  const [timestamp, requestId, level, ...message] = text.split('\t')
  if (level !== undefined && LEVELS.has(level) && !Number.isNaN(Date.parse(timestamp ?? ''))) {
    return {
      stream,
      text,
      json: undefined,
      level,
      message: message.join('\t'),
      requestId: requestId === '-' || requestId === 'undefined' ? undefined : requestId,
      fromConsole: true,
      metrics: false,
    }
  }
  return {
    stream,
    text,
    json: undefined,
    level: undefined,
    message: undefined,
    requestId: undefined,
    fromConsole: false,
    metrics: false,
  }
}

const split = (stream: LogLine['stream'], output: string): LogLine[] =>
  output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseLine(stream, line))

/** Every line of a process's stdout and stderr (stdout's first). */
export const parseLogs = (stdout: string, stderr: string): LogLine[] => [
  ...split('stdout', stdout),
  ...split('stderr', stderr),
]

/** A line shortened for an assertion message. */
export const brief = (line: LogLine): string =>
  `${line.stream}: ${line.text.length > 400 ? `${line.text.slice(0, 400)}...` : line.text}`
