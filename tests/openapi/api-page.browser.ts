/**
 * The API page in a real browser: the example service on the local server (with its identity
 * provider and inventory API, as `npm start` runs them), headless Chromium on `/docs`. The page
 * must list every operation of the service's OpenAPI document, and a "try it out" call with a
 * fresh bearer token must answer 200. A screenshot of the page after the call is kept in
 * `artifacts/`.
 */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ExampleStack, startExample } from '../../examples/service/start.ts'
import type { OpenApiDocument } from '../../src/openapi/index.ts'

const artifacts = fileURLToPath(new URL('../../artifacts/', import.meta.url))
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

let stack: ExampleStack
let browser: Browser
let page: Page

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT'
  process.env.POWERTOOLS_METRICS_DISABLED = 'true'
  stack = await startExample({ port: 0 })
  // --no-sandbox: Chromium's sandbox refuses to run as root (CI containers).
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] })
  page = await browser.newPage({ viewport: { width: 1280, height: 1600 } })
})

afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('the API page of the local server', () => {
  it('lists every operation of the document the service serves', async () => {
    const document = (await (
      await fetch(`${stack.orders.url}/openapi.json`)
    ).json()) as OpenApiDocument
    const expected = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => !key.startsWith('x-'))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(expected).toContain('GET /orders/{id}')

    await page.goto(`${stack.orders.url}/docs`)
    await page.locator('.opblock').first().waitFor()
    const listed = await page
      .locator('.opblock-summary')
      .evaluateAll((summaries) =>
        summaries.map(
          (summary) =>
            `${summary.querySelector('.opblock-summary-method')?.textContent} ${summary
              .querySelector('.opblock-summary-path')
              ?.getAttribute('data-path')}`,
        ),
      )
    expect(listed.sort()).toEqual(expected.sort())
  })

  it('runs "try it out" on GET /orders/{id} with a fresh token and gets a 200', async () => {
    const token = await stack.readerToken()
    await page.locator('.auth-wrapper button.authorize').click()
    await page.locator('.modal-ux input[type=text]').first().fill(token)
    await page.locator('.modal-ux .auth-btn-wrapper button.authorize').click()
    await page.locator('.modal-ux button.btn-done').click()

    const operation = page.locator('#operations-orders-getOrdersById')
    await operation.locator('.opblock-summary').click()
    await operation.locator('button.try-out__btn').click()
    // The parameter's example (42) fills the field.
    await expect.poll(() => operation.locator('input[type=text]').first().inputValue()).toBe('42')
    await operation.locator('button.execute').click()
    const status = operation
      .locator('.live-responses-table tr.response .response-col_status')
      .first()
    await status.waitFor()
    expect((await status.textContent())?.trim()).toBe('200')
    const body = await operation.locator('.live-responses-table .microlight').first().textContent()
    expect(JSON.parse(body ?? '{}')).toEqual({ id: '42', inStock: true, available: 7 })

    mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: `${artifacts}api-page.png`, fullPage: true })
  })
})
