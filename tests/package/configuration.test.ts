/**
 * Configuration is checked once, when the function starts (README: Quick start): every factory
 * throws at creation for a missing or bad option, with a message that names the factory and the
 * option, so that a Lambda init error or `metis-app invoke` says in one line what to fix.
 */
import { activity, pip, scope } from 'metis-app/auth'
import { circuitBreaker, dynamoDbCircuitStore } from 'metis-app/circuit'
import { handlerGuard, requireEnv, withinTimeBudget } from 'metis-app/guard'
import { observer } from 'metis-app/observer'
import { requestBuilder } from 'metis-app/request'
import { responder } from 'metis-app/response'
import { router } from 'metis-app/router'
import { dynamoDbTokenStore, selfToken, selfTokenClient } from 'metis-app/self-token'
import { describe, expect, it } from 'vitest'

/** A wrong option, as a JavaScript caller or a cast could pass it. */
const wrong = (value: unknown) => value as never
const jwks = { issuer: 'https://id.example', audience: 'orders', jwksUri: 'https://id.example/k' }
const identity = {
  tokenEndpoint: 'https://id.example/token',
  clientId: 'orders',
  clientSecret: 's',
}
const client = { send: async () => ({}) }

const cases: [string, () => unknown, string][] = [
  [
    'pip without issuer',
    () => pip(wrong({ ...jwks, issuer: undefined })),
    'pip(): "issuer" is required',
  ],
  [
    'pip with a bad jwksUri',
    () => pip({ ...jwks, jwksUri: 'id.example/k' }),
    'pip(): jwksUri must be an http(s) URL',
  ],
  [
    'pip with a negative tolerance',
    () => pip({ ...jwks, clockToleranceMs: -1 }),
    'pip(): clockToleranceMs must be a number >= 0',
  ],
  [
    'pip with a fractional cache size',
    () => pip({ ...jwks, tokenCacheSize: 1.5 }),
    'pip(): tokenCacheSize must be an integer >= 0',
  ],
  [
    'pip with a wrong JWKS answer',
    () => pip({ ...jwks, onJwksUnavailable: wrong(500) }),
    "pip(): onJwksUnavailable must be one of '401', '503'",
  ],
  [
    'activity without a name',
    () => activity(''),
    'activity(): the activity must be a non-empty string',
  ],
  [
    'scope without a name',
    () => scope(wrong(undefined)),
    'scope(): the scope must be a non-empty string',
  ],
  [
    'circuitBreaker without a name',
    () => circuitBreaker(wrong({})),
    'circuitBreaker: name must be a non-empty string',
  ],
  [
    'a DynamoDB circuit store without a client',
    () => dynamoDbCircuitStore(wrong({ tableName: 't' })),
    'dynamoDbCircuitStore: client must be a DynamoDB client',
  ],
  [
    'a DynamoDB token store without a table',
    () => dynamoDbTokenStore(wrong({ client })),
    'dynamoDbTokenStore: tableName must be a non-empty string',
  ],
  [
    'selfToken without an endpoint',
    () => selfToken(wrong({ ...identity, tokenEndpoint: undefined })),
    'selfTokenClient: tokenEndpoint must be a string, a function, { ssm: name } or { secretsManager: name }',
  ],
  [
    'selfToken with an endpoint that is no URL',
    () => selfToken({ ...identity, tokenEndpoint: 'id.example' }),
    'selfTokenClient: tokenEndpoint must be an http(s) URL',
  ],
  [
    'selfToken with an empty SSM name',
    () => selfToken({ ...identity, clientSecret: { ssm: '' } }),
    'selfTokenClient: clientSecret.ssm must be a non-empty string',
  ],
  [
    'selfToken with an empty secret name',
    () => selfToken({ ...identity, clientSecret: { secretsManager: ' ' } }),
    'selfTokenClient: clientSecret.secretsManager must be a non-empty string',
  ],
  [
    'selfToken without a client id',
    () => selfTokenClient({ ...identity, clientId: '' }),
    'selfTokenClient: clientId must be a non-empty string',
  ],
  [
    'selfToken with a logger of warn only',
    () => selfTokenClient({ ...identity, logger: wrong({ warn() {} }) }),
    'selfTokenClient: logger must be an object with debug, info, warn and error functions (a Powertools Logger, console); missing debug, info, error',
  ],
  [
    'circuitBreaker with false for a logger',
    () => circuitBreaker({ name: 'c', logger: wrong(false) }),
    'circuitBreaker: logger must be an object with debug, info, warn and error functions (a Powertools Logger, console); missing debug, info, warn, error',
  ],
  [
    'selfToken with a zero timeout',
    () => selfTokenClient({ ...identity, timeoutMs: 0 }),
    'selfTokenClient: timeoutMs must be a number >= 1',
  ],
  [
    'selfToken with an unknown auth method',
    () => selfTokenClient({ ...identity, authMethod: wrong('private_key_jwt') }),
    "selfTokenClient: authMethod must be one of 'client_secret_basic', 'client_secret_post'",
  ],
  [
    'observer with an unknown end level',
    () => observer({ tracing: false, requestEndLevel: wrong('WARN') }),
    "observer: requestEndLevel must be one of 'DEBUG', 'INFO'",
  ],
  [
    'observer with an unknown start level',
    () => observer({ tracing: false, requestStartLevel: wrong('all') }),
    "observer: requestStartLevel must be one of 'DEBUG', 'INFO'",
  ],
  [
    'router without a table',
    () => router(wrong(undefined)),
    'router: the route table must be an object',
  ],
  [
    'router with http routes in an object',
    () => router(wrong({ http: {} })),
    'router: http must be an array of routes',
  ],
  [
    'router with a logger that is no logger',
    () => router({}, { logger: wrong('console') }),
    'router: logger must be an object with debug, info, warn and error functions (a Powertools Logger, console), or false; missing debug, info, warn, error',
  ],
  [
    'router with a notFound that is no function',
    () => router({}, { notFound: wrong({}) }),
    'router: notFound must be a function',
  ],
  [
    'responder with a logger that lacks a method',
    () => responder({ logger: wrong({ info() {}, warn() {}, error() {} }) }),
    'responder: logger must be an object with debug, info, warn and error functions (a Powertools Logger, console), or false; missing debug',
  ],
  [
    'requestBuilder with an unknown body mode',
    () => requestBuilder({ jsonBody: wrong('json') }),
    "requestBuilder: jsonBody must be one of 'auto', 'required', 'off'",
  ],
  [
    'requestBuilder with no body allowed',
    () => requestBuilder({ maxBodyBytes: 0 }),
    'requestBuilder: maxBodyBytes must be an integer >= 1',
  ],
  [
    'requestBuilder with a parse that is no function',
    () => requestBuilder({ parse: wrong({}) }),
    'requestBuilder: parse must be a function',
  ],
  [
    'handlerGuard without a check',
    () => handlerGuard(wrong(undefined)),
    'handlerGuard: the check must be a function',
  ],
  [
    'withinTimeBudget with a negative budget',
    () => withinTimeBudget(-1),
    'withinTimeBudget: the budget (ms) must be a number >= 0',
  ],
  [
    'requireEnv with a variable unset',
    () => requireEnv(['METIS_UNSET_VARIABLE']),
    'Missing environment variable METIS_UNSET_VARIABLE',
  ],
]

describe('a missing or bad option', () => {
  it.each(cases)('%s throws at creation, naming it', (_name, create, says) => {
    expect(create).toThrow(says)
  })

  it('passes for the options the README shows', () => {
    expect(() => [
      pip(jwks),
      selfToken({ ...identity, clientSecret: { ssm: '/orders/secret' } }),
      selfToken({ ...identity, clientId: () => 'orders' }),
      dynamoDbTokenStore({ client, tableName: 'state' }),
      observer({ tracing: false, requestEndLevel: 'INFO' }),
      router({ http: [] }, { logger: false }),
      requestBuilder({ jsonBody: 'required', maxBodyBytes: 1024 }),
      withinTimeBudget(0),
    ]).not.toThrow()
  })
})
