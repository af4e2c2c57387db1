import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml'
import { ConfigError } from './configError.js'
import { formatField } from './fieldName.js'

/** A path into the configuration value: mapping keys and list indexes. */
export type ValuePath = ReadonlyArray<string | number>

/** Tags a configuration file may spell out; anything else (!!binary, !!set, custom tags) is refused. */
const ALLOWED_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'seq', 'map'].map((t) => `tag:yaml.org,2002:${t}`))
/** The schema nests two levels; anything far deeper is not a configuration file. */
export const MAX_NESTING = 16

/** A parsed YAML configuration file: its plain value and where each part of it came from. */
export class YamlSource {
  /** Key → pair of each mapping, built on first use, so that placing many errors stays linear. */
  private readonly keyIndex = new WeakMap<YAMLMap, Map<unknown, Pair>>()

  private constructor (
    readonly value: unknown,
    private readonly doc: Document.Parsed,
    private readonly lineCounter: LineCounter
  ) {}

  /**
   * Parses `text` strictly: one document, no duplicate keys, option names that
   * are plain strings, no anchors or aliases, no exotic tags, bounded nesting.
   */
  static parse (text: string, file: string): YamlSource {
    checkFlowNesting(text, file)
    const lineCounter = new LineCounter()
    // uniqueKeys is checked below: the library's own check is quadratic in the number of keys.
    const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true, strict: true, version: '1.2', schema: 'core' })
    const problem = doc.errors[0] ?? doc.warnings[0]
    if (problem !== undefined) {
      const reason = problem.code === 'RESOURCE_EXHAUSTION'
        ? 'nested too deeply for the parser'
        : (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')
      const line = problem.linePos?.[0]?.line
      throw new ConfigError({ file, problem: `YAML syntax error: ${reason}`, ...(line === undefined ? {} : { line }) })
    }
    checkStructure(doc, text, file, lineCounter)
    const value: unknown = doc.toJS({ maxAliasCount: 0 })
    return new YamlSource(value, doc, lineCounter)
  }

  /**
   * The line where `path` is written: the key's line for mapping entries, the
   * item's line for list entries. When the path does not exist in the file,
   * the line of its deepest ancestor that does; undefined if none does.
   */
  lineOf (path: ValuePath): number | undefined {
    let node: unknown = this.doc.contents
    let line: number | undefined
    for (const segment of path) {
      if (isMap(node)) {
        const pair = this.pairOf(node, segment)
        if (pair === undefined) return line
        line = this.lineAt(pair.key as Node) ?? line
        node = pair.value
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment]
        if (item === undefined) return line
        line = this.lineAt(item as Node) ?? line
        node = item
      } else {
        return line
      }
    }
    return line
  }

  /** Whether `path` is written in the file (as opposed to taking its default). */
  has (path: ValuePath): boolean {
    return this.doc.hasIn(path)
  }

  /** The line of the document's top-level value, if any. */
  topLine (): number | undefined {
    return this.doc.contents === null ? undefined : this.lineAt(this.doc.contents)
  }

  private pairOf (map: YAMLMap, key: string | number): Pair | undefined {
    let index = this.keyIndex.get(map)
    if (index === undefined) {
      index = new Map()
      for (const pair of map.items) if (isScalar(pair.key)) index.set(pair.key.value, pair)
      this.keyIndex.set(map, index)
    }
    return index.get(key)
  }

  private lineAt (node: Node): number | undefined {
    const offset = node.range?.[0]
    return offset === undefined ? undefined : this.lineCounter.linePos(offset).line
  }
}

/**
 * Refuses deep flow nesting (`[[[[…`, `{{{{…`) before the parser sees it: the
 * parser copes, but spends seconds on it. Counts brackets outside quotes and
 * comments, which over-counts only in contrived text.
 */
function checkFlowNesting (text: string, file: string): void {
  let depth = 0
  let line = 1
  let quote: string | undefined
  let comment = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\n') { line++; comment = false; continue }
    if (comment) continue
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = undefined
      continue
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) comment = true
    else if (c === '"' || c === "'") quote = c
    else if (c === '[' || c === '{') {
      if (++depth > MAX_NESTING) throw new ConfigError({ file, line, problem: `nested more than ${MAX_NESTING} levels deep` })
    } else if ((c === ']' || c === '}') && depth > 0) depth--
  }
}

/** Walks the node tree without recursion, refusing what a configuration file has no use for. */
function checkStructure (doc: Document.Parsed, text: string, file: string, lineCounter: LineCounter): void {
  const lineOf = (node: unknown): number | undefined => {
    const offset = (node as Node | null)?.range?.[0]
    return offset === undefined ? undefined : lineCounter.linePos(offset).line
  }
  const fail = (node: unknown, problem: string, field?: string): never => {
    const line = lineOf(node)
    throw new ConfigError({ file, problem, ...(line === undefined ? {} : { line }), ...(field === undefined ? {} : { field }) })
  }
  const stack: Array<{ node: unknown, path: Array<string | number> }> = [{ node: doc.contents, path: [] }]
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown, path: Array<string | number> }
    if (node === null || node === undefined) continue
    if (path.length > MAX_NESTING) fail(node, `nested more than ${MAX_NESTING} levels deep`)
    if (isAlias(node)) fail(node, `YAML aliases (*${node.source}) are not supported; write the value out`)
    const n = node as Node
    if (n.anchor !== undefined) {
      // A collection's range starts at its content, which may be lines below the anchor.
      const at = text.lastIndexOf(`&${n.anchor}`, n.range?.[0] ?? text.length)
      const problem = `YAML anchors (&${n.anchor}) are not supported; write the value out`
      if (at >= 0) throw new ConfigError({ file, problem, line: lineCounter.linePos(at).line })
      fail(node, problem)
    }
    if (n.tag !== undefined && !ALLOWED_TAGS.has(n.tag)) fail(node, `YAML tag ${n.tag.replace('tag:yaml.org,2002:', '!!')} is not supported`)
    if (isMap(node)) {
      const seen = new Map<string, Node>()
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = pair.key
        if (!isScalar(key) || typeof key.value !== 'string') {
          fail(key ?? node, `option names must be plain strings, got ${isScalar(key) ? String(JSON.stringify(key.value)) : 'a complex key'}`)
        }
        if ((key as Node).anchor !== undefined || (key as Node).tag !== undefined) fail(key, 'option names must be plain strings, without tags or anchors')
        const name = (key as { value: string }).value
        const earlier = seen.get(name)
        if (earlier !== undefined) fail(key, `duplicate key (first set on line ${String(lineOf(earlier))})`, formatField([...path, name]))
        seen.set(name, key as Node)
        stack.push({ node: pair.value, path: [...path, name] })
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: [...path, i] }))
    }
  }
}
