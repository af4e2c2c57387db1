/**
 * A strict reader for the XML subset an SVG chart uses, for tests (no XML
 * package is installed): an optional XML declaration, comments, one root
 * element, elements with quoted attributes (unique names), text, the five
 * predefined entities and numeric character references. Anything outside
 * that subset (a DOCTYPE, CDATA, processing instructions after the start) is
 * rejected too, so "accepted" implies "well-formed XML 1.0". Throws
 * XmlSyntaxError with the offset of the first problem.
 */
export class XmlSyntaxError extends Error {
  constructor (message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`)
    this.name = 'XmlSyntaxError'
  }
}

export interface XmlElement {
  name: string
  attrs: Map<string, string>
  children: Array<XmlElement | string>
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y
const SPACE = /[ \t\r\n]+/y
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function isXmlChar (code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
}

export function parseStrictXml (text: string): XmlElement {
  // Every character must be an XML Char (code points: a lone surrogate is not one).
  let offset = 0
  for (const ch of text) {
    const code = ch.codePointAt(0) as number
    if (!isXmlChar(code)) throw new XmlSyntaxError(`character U+${code.toString(16).padStart(4, '0')} not allowed in XML`, offset)
    offset += ch.length
  }
  let pos = 0
  const fail = (message: string): never => { throw new XmlSyntaxError(message, pos) }
  const skipSpace = (): void => {
    SPACE.lastIndex = pos
    if (SPACE.test(text)) pos = SPACE.lastIndex
  }
  const name = (): string => {
    NAME.lastIndex = pos
    const m = NAME.exec(text)
    if (m === null) fail('expected a name')
    pos = NAME.lastIndex
    return (m as RegExpExecArray)[0]
  }
  /** Character data up to `stop` (exclusive), references decoded; `<` is never allowed in it. */
  const chars = (stop: string): string => {
    let out = ''
    while (pos < text.length && !text.startsWith(stop, pos)) {
      const ch = text[pos] as string
      if (ch === '<') fail('"<" in character data')
      if (ch === '&') {
        const end = text.indexOf(';', pos)
        if (end < 0 || end - pos > 12) fail('unterminated reference')
        const ref = text.slice(pos + 1, end)
        if (/^#[0-9]+$/.test(ref) || /^#x[0-9a-fA-F]+$/.test(ref)) {
          const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
          if (!isXmlChar(code)) fail(`reference to a character XML forbids: &${ref};`)
          out += String.fromCodePoint(code)
        } else if (PREDEFINED[ref] !== undefined) {
          out += PREDEFINED[ref]
        } else {
          fail(`unknown entity &${ref};`)
        }
        pos = end + 1
        continue
      }
      if (stop === '<' && text.startsWith(']]>', pos)) fail('"]]>" in text')
      out += ch
      pos++
    }
    return out
  }
  const comment = (): void => {
    const end = text.indexOf('-->', pos + 4)
    if (end < 0) fail('unterminated comment')
    if (text.slice(pos + 4, end).includes('--') || text[end - 1] === '-') fail('"--" inside a comment')
    pos = end + 3
  }
  const misc = (): void => {
    for (;;) {
      skipSpace()
      if (text.startsWith('<!--', pos)) comment()
      else return
    }
  }
  const element = (): XmlElement => {
    if (text[pos] !== '<') fail('expected "<"')
    pos++
    const el: XmlElement = { name: name(), attrs: new Map(), children: [] }
    for (;;) {
      const before = pos
      skipSpace()
      if (text.startsWith('/>', pos)) { pos += 2; return el }
      if (text[pos] === '>') { pos++; break }
      if (pos === before) fail('expected white space, ">" or "/>"')
      const attr = name()
      if (el.attrs.has(attr)) fail(`duplicate attribute ${attr}`)
      skipSpace()
      if (text[pos] !== '=') fail('expected "="')
      pos++
      skipSpace()
      const quote = text[pos]
      if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value')
      pos++
      const value = chars(quote as string)
      if (text[pos] !== quote) fail('unterminated attribute value')
      pos++
      el.attrs.set(attr, value)
    }
    for (;;) {
      if (pos >= text.length) fail(`unclosed <${el.name}>`)
      if (text.startsWith('</', pos)) {
        pos += 2
        const closing = name()
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`)
        skipSpace()
        if (text[pos] !== '>') fail('expected ">"')
        pos++
        return el
      }
      if (text.startsWith('<!--', pos)) comment()
      else if (text.startsWith('<!', pos) || text.startsWith('<?', pos)) fail('DOCTYPE, CDATA and processing instructions are outside the accepted subset')
      else if (text[pos] === '<') el.children.push(element())
      else {
        const t = chars('<')
        if (t !== '') el.children.push(t)
      }
    }
  }
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>')
    if (end < 0) fail('unterminated XML declaration')
    if (!/^<\?xml version="1\.[0-9]"( encoding="[A-Za-z][A-Za-z0-9._-]*")?( standalone="(yes|no)")?\s*\?>$/.test(text.slice(0, end + 2))) fail('malformed XML declaration')
    pos = end + 2
  }
  misc()
  const root = element()
  misc()
  if (pos !== text.length) fail('content after the root element')
  return root
}

/** Every element of the tree, depth first, the root included. */
export function allElements (root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [root]
  for (const child of root.children) if (typeof child !== 'string') out.push(...allElements(child))
  return out
}

/** The concatenated text inside an element (references decoded). */
export function textContent (el: XmlElement): string {
  return el.children.map((c) => typeof c === 'string' ? c : textContent(c)).join('')
}
