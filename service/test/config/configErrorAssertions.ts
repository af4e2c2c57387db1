import assert from 'node:assert/strict'
import { ConfigError, parseConfig, type PhantomConfig } from '../../src/config/index.js'

export const FILE = '/etc/phantom/phantom.yaml'
/** A real Ed25519 peer id. */
export const PEER_ID = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

export interface ExpectedConfigError {
  line?: number
  field?: string
  /** Fragments the message must contain. */
  says?: string[]
}

/** Asserts the error is a ConfigError with a one-line message of the form FILE[:LINE]: [FIELD: ]PROBLEM. */
export function assertConfigError (err: unknown, file: string, expected: ExpectedConfigError): ConfigError {
  assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
  assert.equal(err.file, file)
  assert.doesNotMatch(err.message, /[\r\n\u2028\u2029]/, 'message must be one line')
  assert.doesNotMatch(err.message, /\n\s+at /, 'message must not hold a stack trace')
  assert.ok(err.message.length < 600, `message too long: ${err.message}`)
  assert.equal(err.line, expected.line, `line in: ${err.message}`)
  assert.equal(err.field, expected.field, `field in: ${err.message}`)
  const prefix = `${file}${expected.line === undefined ? '' : `:${expected.line}`}: ${expected.field === undefined ? '' : `${expected.field}: `}`
  assert.ok(err.message.startsWith(prefix), `message ${JSON.stringify(err.message)} should start with ${JSON.stringify(prefix)}`)
  for (const fragment of expected.says ?? []) assert.ok(err.message.includes(fragment), `message ${JSON.stringify(err.message)} should say ${JSON.stringify(fragment)}`)
  return err
}

/** parseConfig(text) must fail with the expected ConfigError; returns it. */
export function expectParseError (text: string, expected: ExpectedConfigError): ConfigError {
  let result: PhantomConfig | undefined
  try {
    result = parseConfig(text, FILE)
  } catch (err) {
    return assertConfigError(err, FILE, expected)
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(text)}, got ${JSON.stringify(result)}`)
}
