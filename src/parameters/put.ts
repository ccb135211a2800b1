/**
 * `putParameter()`: the write path, SSM `PutParameter` on the AWS SDK client.
 * @module
 */
import { booleanOption, optionError, textOption } from '../internal/options.ts'
import { ParametersError, safeCause } from './errors.ts'

/**
 * The `send` of an AWS SDK v3 `SSMClient`, or anything shaped like it.
 *
 * @example
 * ```ts
 * const client: SsmClientLike = new SSMClient({ region: 'eu-west-1' })
 * ```
 */
export interface SsmClientLike {
  send(command: object): Promise<unknown>
}

/**
 * Options of {@link putParameter}.
 *
 * @example
 * ```ts
 * const options: PutParameterOptions = { secure: true, overwrite: true }
 * ```
 */
export interface PutParameterOptions {
  /** Replace the parameter when it exists. Default false: an existing parameter is an error. */
  overwrite?: boolean
  /** Store it as a `SecureString` (encrypted with KMS). Default false: a `String`. */
  secure?: boolean
  /** The KMS key of a `SecureString`. Default: the account's `aws/ssm` key. */
  kmsKeyId?: string
  /** The parameter's description. */
  description?: string
  /** The SSM client to send with. Default: a new `SSMClient` for this call, destroyed after it. */
  client?: SsmClientLike
}

const FACTORY = 'putParameter'

const check = (name: unknown, value: unknown, options: PutParameterOptions): void => {
  textOption(FACTORY, 'name', name)
  // The value itself is never part of a message.
  if (typeof value !== 'string' || value === '') {
    throw optionError(FACTORY, 'value must be a non-empty string')
  }
  for (const flag of ['overwrite', 'secure'] as const) {
    booleanOption(FACTORY, flag, options[flag], false)
  }
  if (options.kmsKeyId !== undefined) textOption(FACTORY, 'kmsKeyId', options.kmsKeyId)
  if (options.description !== undefined) textOption(FACTORY, 'description', options.description)
  if (options.client !== undefined && typeof options.client?.send !== 'function') {
    throw optionError(FACTORY, 'client must be an SSMClient (send)')
  }
}

/**
 * Writes one SSM parameter (`PutParameter`): a `String`, or a `SecureString` with
 * `secure: true`; an existing parameter is replaced only with `overwrite: true`. Resolves to the
 * parameter's new version. `@aws-sdk/client-ssm` is imported on the first call.
 *
 * Values that `parameters()` has cached are not refreshed by a write: they are served until
 * their `maxAgeMs` has passed.
 *
 * @throws TypeError for a bad argument; {@link ParametersError} `PARAMETERS_WRITE_FAILED` when SSM
 * refused or failed (its message names the parameter, never the value).
 *
 * @example
 * ```ts
 * const version = await putParameter('/orders/db/password', password, { secure: true, overwrite: true })
 * ```
 */
export const putParameter = async (
  name: string,
  value: string,
  options: PutParameterOptions = {},
): Promise<number> => {
  check(name, value, options)
  const sdk = await import('@aws-sdk/client-ssm')
  const own = options.client === undefined ? new sdk.SSMClient({}) : undefined
  const client: SsmClientLike = options.client ?? (own as SsmClientLike)
  const command = new sdk.PutParameterCommand({
    Name: name,
    Value: value,
    Type: options.secure === true ? 'SecureString' : 'String',
    Overwrite: options.overwrite === true,
    ...(options.kmsKeyId === undefined ? {} : { KeyId: options.kmsKeyId }),
    ...(options.description === undefined ? {} : { Description: options.description }),
  })
  try {
    const output = (await client.send(command)) as { Version?: number }
    return Number(output.Version)
  } catch (thrown) {
    const cause = safeCause(thrown, value)
    throw new ParametersError(
      'PARAMETERS_WRITE_FAILED',
      `putParameter: could not write ${name} (${cause.name})`,
      { source: 'ssm', name, reason: cause.name },
      cause,
    )
  } finally {
    own?.destroy()
  }
}
