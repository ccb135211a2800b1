/**
 * Runs a bundle the way Lambda's Node.js runtime does: AWS's runtime interface client
 * (`aws-lambda-ric`, from the repository's node_modules) in its own process, with the environment
 * Lambda sets, polling a {@link RuntimeApi} emulator.
 */
import { fileURLToPath } from 'node:url'
import { describeEnd, type Finished, Started } from './commands.ts'
import { type LogLine, parseLogs } from './logs.ts'
import { type Outcome, RuntimeApi } from './runtime-api.ts'

/** The runtime interface client's entry point, from the repository's dev dependencies. */
export const RIC = fileURLToPath(
  new URL('../../../node_modules/aws-lambda-ric/index.mjs', import.meta.url),
)

/** The function's name, as the emulator's ARN says. */
export const FUNCTION_NAME = 'metis-e2e'

/** A deployed function: the unzipped code and the handler setting (`file.export`). */
export interface Task {
  readonly root: string
  readonly handler: string
}

/** The environment Lambda sets for a Node.js 24 function. */
export const lambdaEnvironment = (
  api: RuntimeApi,
  task: Task,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> => ({
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LANG: 'en_US.UTF-8',
  AWS_LAMBDA_RUNTIME_API: api.address,
  AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
  AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/01/[$LATEST]0123456789abcdef0123456789abcdef',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  LAMBDA_TASK_ROOT: task.root,
  _HANDLER: task.handler,
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
  TZ: ':UTC',
  ...extra,
})

/** Starts `node <ric>/index.mjs <handler>` in the task root (its cwd, as in Lambda). */
export const startFunction = (task: Task, env: Record<string, string>): Started =>
  new Started(process.execPath, [RIC, task.handler], { cwd: task.root, env })

/** What one run of a function left: each invocation's outcome, its output and its exit. */
export interface FunctionRun {
  /** The outcome of each call, by the call's name. */
  readonly outcomes: ReadonlyMap<string, Outcome>
  /** Every line it wrote. */
  readonly lines: readonly LogLine[]
  readonly exit: Finished
}

/**
 * Starts the function against a new emulator, invokes it with each call in turn (as
 * Lambda does one instance), then stops it and reads all it wrote. `cleanup` gets a stopper at
 * once, so that a run cut short by a timeout still ends its process and server.
 */
export const runFunction = async (
  task: Task,
  env: Readonly<Record<string, string>>,
  calls: ReadonlyArray<readonly [name: string, event: unknown]>,
  cleanup: (stop: () => Promise<unknown>) => void,
): Promise<FunctionRun> => {
  const api = await RuntimeApi.start()
  const fn = startFunction(task, lambdaEnvironment(api, task, env))
  const stop = async () => {
    await fn.stop()
    await api.close()
  }
  cleanup(stop)
  const died = fn.finished().then((end) => {
    throw new Error(`the function exited during the run: ${describeEnd(end)}`)
  })
  died.catch(() => undefined)
  const outcomes = new Map<string, Outcome>()
  try {
    for (const [name, event] of calls) {
      outcomes.set(name, await Promise.race([api.invoke(event), died]))
    }
  } finally {
    await stop()
  }
  const exit = await fn.finished()
  return { outcomes, lines: parseLogs(exit.stdout, exit.stderr), exit }
}
