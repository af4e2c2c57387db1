import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { CONFIG_SCHEMA } from './configSchema.js'
import { DURATION_EXAMPLES, formatDuration, parseDuration } from './duration.js'
import { formatField } from './fieldName.js'
import { MULTIADDR_ROLES, multiaddrProblem, peerIdProblem, type MultiaddrRole } from './multiaddrCheck.js'
import { ipv4PrefixProblem } from '../tun/ipv4/ipv4Prefix.js'
import { SOCKET_ADDRESS_ROLES, socketAddressProblem, type SocketAddressRole } from './socketAddressCheck.js'

/** Bounds of a `phantomDuration` keyword, both durations. */
export interface DurationBounds {
  minimum: string
  maximum: string
}

/** A schema violation, described for people: where it is and what was expected. */
export interface SchemaViolation {
  path: Array<string | number>
  problem: string
}

let compiled: ValidateFunction | undefined

/** The compiled validator; it fills in defaults (it mutates its argument). */
function validator (): ValidateFunction {
  if (compiled !== undefined) return compiled
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true })
  ajv.addKeyword({
    keyword: 'phantomAbsolutePath',
    type: 'string',
    schemaType: 'boolean',
    errors: false,
    validate: (_schema: boolean, data: string) => absolutePathProblem(data) === undefined
  })
  ajv.addKeyword({
    keyword: 'phantomDuration',
    type: 'string',
    schemaType: 'object',
    metaSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['minimum', 'maximum'],
      properties: { minimum: { type: 'string' }, maximum: { type: 'string' } }
    },
    errors: false,
    validate: (schema: DurationBounds, data: string) => durationProblem(data, schema) === undefined
  })
  ajv.addKeyword({
    keyword: 'phantomMultiaddr',
    type: 'string',
    schemaType: 'string',
    metaSchema: { enum: [...MULTIADDR_ROLES] },
    errors: false,
    validate: (role: MultiaddrRole, data: string) => multiaddrProblem(data, role) === undefined
  })
  ajv.addKeyword({
    keyword: 'phantomPeerId',
    type: 'string',
    schemaType: 'boolean',
    errors: false,
    validate: (_schema: boolean, data: string) => peerIdProblem(data) === undefined
  })
  ajv.addKeyword({
    keyword: 'phantomSocketAddress',
    type: 'string',
    schemaType: 'string',
    metaSchema: { enum: [...SOCKET_ADDRESS_ROLES] },
    errors: false,
    validate: (role: SocketAddressRole, data: string) => socketAddressProblem(data, role) === undefined
  })
  ajv.addKeyword({
    keyword: 'phantomIpv4Prefix',
    type: 'string',
    schemaType: 'boolean',
    errors: false,
    validate: (_schema: boolean, data: string) => ipv4PrefixProblem(data) === undefined
  })
  compiled = ajv.compile(CONFIG_SCHEMA)
  return compiled
}

/**
 * Validates `value` against the schema and fills in every default (in
 * place). Returns the violations found, in no particular order; empty when
 * the value is valid.
 */
export function validateAndFillDefaults (value: unknown): SchemaViolation[] {
  const validate = validator()
  if (validate(value)) return []
  return (validate.errors ?? []).map(describeViolation)
}

function describeViolation (error: ErrorObject): SchemaViolation {
  const path: Array<string | number> = error.instancePath === ''
    ? []
    : error.instancePath.slice(1).split('/').map(unescapePointer).map((s) => /^(0|[1-9]\d*)$/.test(s) ? Number(s) : s)
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>
  const got = describeValue(error.data)
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty)
      const known = Object.keys((schema.properties ?? {}) as object).join(', ')
      const under = path.length === 0 ? '' : ` under ${formatField(path)}`
      return { path: [...path, key], problem: `unknown option (known options${under}: ${known})` }
    }
    case 'type':
      return { path, problem: `expected ${describeExpected(schema)}, got ${got}` }
    case 'enum':
      return { path, problem: `expected one of ${(schema.enum as unknown[]).join(', ')}, got ${got}` }
    case 'minimum':
    case 'maximum':
      return { path, problem: `expected ${describeExpected(schema)}, got ${got}` }
    case 'maxLength':
      return { path, problem: `expected at most ${String(schema.maxLength)} characters, got ${(error.data as string).length}` }
    case 'maxItems':
      return { path, problem: `expected at most ${String(schema.maxItems)} entries, got ${(error.data as unknown[]).length}` }
    case 'uniqueItems': {
      const a = Number(error.params.i); const b = Number(error.params.j)
      const later = Math.max(a, b); const earlier = Math.min(a, b)
      return { path: [...path, later], problem: `duplicate entry, the same as ${formatField([...path, earlier])}` }
    }
    case 'phantomAbsolutePath':
      return { path, problem: absolutePathProblem(error.data as string) ?? 'expected an absolute path' }
    case 'phantomDuration':
      return { path, problem: durationProblem(error.data as string, schema.phantomDuration as DurationBounds) ?? 'expected a duration' }
    case 'phantomPeerId':
      return { path, problem: peerIdProblem(error.data as string) ?? 'expected a peer ID' }
    case 'phantomSocketAddress':
      return { path, problem: socketAddressProblem(error.data as string, schema.phantomSocketAddress as SocketAddressRole) ?? 'expected HOST:PORT' }
    case 'phantomIpv4Prefix':
      return { path, problem: ipv4PrefixProblem(error.data as string) ?? 'expected an IPv4 prefix' }
    case 'required':
      return { path: [...path, String(error.params.missingProperty)], problem: 'missing (this entry needs it)' }
    case 'phantomMultiaddr':
      return { path, problem: multiaddrProblem(error.data as string, schema.phantomMultiaddr as MultiaddrRole) ?? 'expected a multiaddr' }
    default:
      return { path, problem: `${error.message ?? 'is invalid'}, got ${got}` }
  }
}

function describeExpected (schema: Record<string, unknown>): string {
  if (schema.phantomAbsolutePath === true) return 'an absolute path'
  if (schema.phantomDuration !== undefined) return `a duration such as ${DURATION_EXAMPLES}`
  if (schema.phantomMultiaddr !== undefined) return 'a multiaddr such as /ip4/0.0.0.0/tcp/4821'
  if (schema.phantomPeerId === true) return 'a peer ID such as 12D3KooW…'
  if (schema.phantomSocketAddress !== undefined) return 'HOST:PORT such as 127.0.0.1:8080'
  if (schema.phantomIpv4Prefix === true) return 'an IPv4 prefix such as 100.64.0.0/10'
  switch (schema.type) {
    case 'boolean': return 'true or false'
    case 'integer': return schema.minimum !== undefined && schema.maximum !== undefined
      ? `an integer from ${String(schema.minimum)} to ${String(schema.maximum)}`
      : 'an integer'
    case 'string': return Array.isArray(schema.enum) ? `one of ${schema.enum.join(', ')}` : 'a string'
    case 'array': return 'a list'
    case 'object': return 'a mapping of options'
    default: return String(schema.type)
  }
}

/** What a YAML value is, for "got …" in messages; quoted and shortened. */
export function describeValue (value: unknown): string {
  if (value === null || value === undefined) return 'nothing (empty value)'
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return 'a list'
  return 'a mapping'
}

export function absolutePathProblem (text: string): string | undefined {
  if (!text.startsWith('/')) return `expected an absolute path (starting with /), got ${describeValue(text)}`
  if (text.includes('\u0000')) return 'expected an absolute path, got a path containing a NUL character'
  return undefined
}

export function durationProblem (text: string, bounds: DurationBounds): string | undefined {
  const ms = parseDuration(text)
  const min = parseDuration(bounds.minimum) as number
  const max = parseDuration(bounds.maximum) as number
  const range = `from ${formatDuration(min)} to ${formatDuration(max)}`
  if (ms === undefined) return `expected a duration ${range} such as ${DURATION_EXAMPLES}, got ${describeValue(text)}`
  if (ms < min || ms > max) return `expected a duration ${range}, got ${describeValue(text)}`
  return undefined
}

function unescapePointer (segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~')
}
