// @middy/core 7 names this optional peer in its types (middyjs/middy#1694).
declare module '@aws/durable-execution-sdk-js' {
  export type DurableContext = never
}
