import { CONFIG_SCHEMA } from './configSchema.js'

/** A leaf option of the configuration file, as listed in the documentation. */
export interface ConfigOption {
  /** Dotted name as written in the file, e.g. `netdb.republishInterval`. */
  name: string
  /** The option's JSON Schema. */
  schema: Readonly<Record<string, unknown>>
  /** The default, as in the schema (durations as strings). */
  defaultValue: unknown
  /** The default as written in YAML flow style, e.g. `info`, `[]`, `["/ip4/0.0.0.0/tcp/4821"]`. */
  defaultText: string
  description: string
}

/** Every leaf option of the schema, in schema order. */
export function listConfigOptions (): ConfigOption[] {
  const options: ConfigOption[] = []
  const walk = (properties: Readonly<Record<string, unknown>>, prefix: string): void => {
    for (const [key, value] of Object.entries(properties)) {
      const schema = value as Readonly<Record<string, unknown>>
      const name = prefix + key
      if (schema.type === 'object' && schema.properties !== undefined) {
        walk(schema.properties as Readonly<Record<string, unknown>>, `${name}.`)
      } else {
        options.push({
          name,
          schema,
          defaultValue: schema.default,
          defaultText: formatYamlValue(schema.default),
          description: String(schema.description ?? '')
        })
      }
    }
  }
  walk(CONFIG_SCHEMA.properties, '')
  return options
}

/** A JSON-compatible value in YAML flow style (strings unquoted when they need no quotes). */
export function formatYamlValue (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`
  return String(value)
}
