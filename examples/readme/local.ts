/** The docs/local.md example block, in a module that has the handler it serves. */
import { readFile } from 'node:fs/promises'
import { invoke, serve } from 'metis-app/local'
import { handler } from './handler.ts' // your function

const server = await serve(handler, { port: 3000, eventVersion: 'v2' }) // or 'v1', 'alb'
const s3Event: unknown = JSON.parse(await readFile('events/s3-put.json', 'utf8'))
const result = await invoke(handler, s3Event)

console.log(server.url, result)
await server.close()
