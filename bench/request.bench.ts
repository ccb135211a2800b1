/**
 * Building the request of a REST v1, an HTTP API v2 and an S3 event, against Middy's own
 * normalizers doing comparable work in the same run: @middy/http-event-normalizer +
 * @middy/http-header-normalizer for HTTP, @middy/event-normalizer for S3. Each iteration gets a
 * fresh copy of the event (the peers mutate it), for ours as well.
 */
import { readFileSync } from 'node:fs'
import eventNormalizer from '@middy/event-normalizer'
import httpEventNormalizer from '@middy/http-event-normalizer'
import httpHeaderNormalizer from '@middy/http-header-normalizer'
import { buildRequest } from '../src/request/index.ts'
import { compare } from './support/compare.ts'

type Json = Record<string, unknown>
const load = (name: string): Json =>
  JSON.parse(
    readFileSync(new URL(`../tests/fixtures/events/${name}.json`, import.meta.url), 'utf8'),
  )

const v1 = load('apigw-rest/no-auth')
v1.queryStringParameters = { page: '2', sort: 'name' }
v1.multiValueQueryStringParameters = { page: ['2'], sort: ['name'] }
const v2 = load('apigw-http/no-auth')
v2.rawQueryString = 'page=2&sort=name'
v2.queryStringParameters = { page: '2', sort: 'name' }
v2.cookies = ['session=abc', 'theme=dark']
const s3 = load('s3/base')

const copy = (event: Json): Json => ({
  ...event,
  headers: { ...(event.headers as Json) },
  multiValueHeaders: event.multiValueHeaders ? { ...(event.multiValueHeaders as Json) } : undefined,
})

type S3Event = { Records: { s3: { object: Json } & Json }[] }
/** A copy deep enough that the peer's in-place key decoding does not carry over. */
const copyS3 = (event: Json): Json => ({
  Records: (event as unknown as S3Event).Records.map((r) => ({
    ...r,
    s3: { ...r.s3, object: { ...r.s3.object } },
  })),
})

type Before = (r: { event: Json }) => void
const eventNorm = httpEventNormalizer().before as unknown as Before
const headerNorm = httpHeaderNormalizer().before as unknown as Before
const s3Norm = eventNormalizer().before as unknown as Before
const context = { awsRequestId: 'id' }

for (const [name, event] of [
  ['REST v1', v1],
  ['HTTP API v2', v2],
] as const) {
  await compare(`request: ${name}`, 'middy http-event + http-header normalizers', [
    {
      name: 'middy http-event + http-header normalizers',
      fn: () => {
        const request = { event: copy(event), context }
        eventNorm(request)
        headerNorm(request)
      },
    },
    { name: 'metis-app buildRequest', fn: () => buildRequest(copy(event), { requestId: 'id' }) },
  ])
}

await compare('request: S3 notification', 'middy event-normalizer', [
  {
    name: 'middy event-normalizer',
    fn: () => s3Norm({ event: copyS3(s3) }),
  },
  {
    name: 'metis-app buildRequest',
    fn: () => buildRequest(copyS3(s3), { requestId: 'id' }),
  },
])
