import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { phantomNameFromRoutingKey } from '../../src/netdb/phantomName.js'
import { HOSTS_FILE_MAX_BYTES, HostsFileError, loadHostsFile, parseHostsFile } from '../../src/dns/hostsFile.js'
import { checkPetname } from '../../src/dns/petname.js'

const KEY = Buffer.alloc(32, 5)
const NAME = phantomNameFromRoutingKey(KEY)
const AP = deriveApAddress(KEY)

function errorOf (text: string): string {
  try {
    parseHostsFile(text, '/etc/phantom/hosts')
  } catch (error) {
    assert.ok(error instanceof HostsFileError)
    return error.message
  }
  assert.fail(`accepted ${JSON.stringify(text)}`)
}

describe('hosts file (petnames)', () => {
  it('reads addresses and .phantom names with several petnames, comments, blank lines, tabs and CRLF', () => {
    const table = parseHostsFile([
      '# my petnames',
      '',
      `fd50:0000::00ab\tshop.phantom  www.shop.phantom   # the shop`,
      `${NAME.toUpperCase()} blog.phantom\r`,
      '   # indented comment',
      'FD50::2 a-b.c1.phantom'
    ].join('\n'), 'hosts')
    assert.equal(table.size, 4)
    assert.deepEqual(table.lookup('shop.phantom'), Buffer.from('fd5000000000000000000000000000ab', 'hex'))
    assert.deepEqual(table.lookup('WWW.Shop.Phantom.'), Buffer.from('fd5000000000000000000000000000ab', 'hex'))
    assert.deepEqual(table.lookup('blog.phantom'), AP)
    assert.deepEqual(table.lookup('a-b.c1.phantom'), Buffer.from('fd500000000000000000000000000002', 'hex'))
    assert.equal(table.lookup('nope.phantom'), undefined)
    assert.equal(table.lookup(NAME), undefined, 'key names are not petnames')
  })

  it('rejects every malformed line with the file name and line number', () => {
    assert.match(errorOf('\n\n10.0.0.1 shop.phantom'), /^\/etc\/phantom\/hosts:3: "10.0.0.1" is neither an AP address/)
    assert.match(errorOf('2001:db8::1 shop.phantom'), /:1: .*neither an AP address/)
    assert.match(errorOf('fd50::1'), /:1: "fd50::1" has no petname/)
    assert.match(errorOf('fd50::1 shop'), /:1: petname "shop" must end in "\.phantom"/)
    assert.match(errorOf('fd50::1 shop.example'), /must end in "\.phantom"/)
    assert.match(errorOf('fd50::1 -shop.phantom'), /label "-shop"/)
    assert.match(errorOf('fd50::1 sh_op.phantom'), /label "sh_op"/)
    assert.match(errorOf('fd50::1 a..phantom'), /label ""/)
    assert.match(errorOf(`fd50::1 ${NAME}`), /is a \.phantom key name/)
    assert.match(errorOf('fd50::1 x.phantom\nfd50::2 X.phantom'), /:2: petname "x.phantom" is already defined on line 1/)
    assert.match(errorOf('fd50::1 caf\u00e9.phantom'), /:1: only printable ASCII/)
    assert.match(errorOf('fd50::1 ' + 'a'.repeat(4100) + '.phantom'), /:1: line longer than 4096/)
    assert.match(errorOf('fd50::1 ' + Array.from({ length: 40 }, () => 'abcdefg').join('.') + '.phantom'), /longer than 253/)
  })

  it('fuzz: any text either parses or fails with a HostsFileError naming the file', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.tuple(fc.constantFrom('fd50::1', NAME, '::1', 'x'), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 })).map(([a, ps]) => [a, ...ps].join(' '))
    )
    fc.assert(fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
      try {
        const table = parseHostsFile(lines.join('\n'), 'fuzz')
        for (const name of table.petnames()) assert.ok('petname' in checkPetname(name))
      } catch (error) {
        assert.ok(error instanceof HostsFileError, String(error))
        assert.match(error.message, /^fuzz(:\d+)?: /)
      }
    }), { numRuns: 1000 })
  })

  describe('loading', () => {
    let dir: string
    before(async () => { dir = await mkdtemp(join(tmpdir(), 'phantom-hosts-')) })
    after(async () => { await rm(dir, { recursive: true, force: true }) })

    it('a missing file is no petnames unless required; directories and oversize files are errors', async () => {
      assert.equal((await loadHostsFile(join(dir, 'absent'))).size, 0)
      await assert.rejects(loadHostsFile(join(dir, 'absent'), { missingOk: false }), /absent: cannot be read: ENOENT/)
      await mkdir(join(dir, 'adir'))
      await assert.rejects(loadHostsFile(join(dir, 'adir')), /adir: is not a regular file/)
      await writeFile(join(dir, 'big'), Buffer.alloc(HOSTS_FILE_MAX_BYTES + 1, 0x23))
      await assert.rejects(loadHostsFile(join(dir, 'big')), /big: larger than/)
      await writeFile(join(dir, 'hosts'), `fd50::7 seven.phantom\n`)
      assert.deepEqual((await loadHostsFile(join(dir, 'hosts'))).lookup('seven.phantom'), Buffer.from('fd500000000000000000000000000007', 'hex'))
      await writeFile(join(dir, 'bad'), '# fine\nfd50::7 seven\n')
      await assert.rejects(loadHostsFile(join(dir, 'bad')), (e: unknown) => e instanceof HostsFileError && e.line === 2 && e.file === join(dir, 'bad'))
    })
  })
})
