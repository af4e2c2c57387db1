import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultConfig, loadConfig, MAX_CONFIG_BYTES } from '../../src/config/index.js'
import { assertConfigError, PEER_ID } from './configErrorAssertions.js'

async function expectLoadError (file: string, mustExist: boolean, expected: Parameters<typeof assertConfigError>[2]): Promise<void> {
  await assert.rejects(loadConfig(file, { mustExist }), (err: unknown) => {
    assertConfigError(err, file, expected)
    return true
  })
}

describe('config loading from files', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'phantom-config-test-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('reads and parses a file', async () => {
    const file = join(dir, 'good.yaml')
    await writeFile(file, `log:\n  level: warn\nbootstrap: [/ip4/192.0.2.1/tcp/4821/p2p/${PEER_ID}]\n`)
    const config = await loadConfig(file, { mustExist: true })
    assert.equal(config.log.level, 'warn')
    assert.equal(config.bootstrap.length, 1)
  })

  it('a missing file gives the defaults unless it must exist', async () => {
    const file = join(dir, 'absent.yaml')
    assert.deepEqual(await loadConfig(file, { mustExist: false }), defaultConfig())
    await expectLoadError(file, true, { says: ['cannot read file: ENOENT (no such file)'] })
  })

  it('an empty file and a comments-only file give the defaults', async () => {
    const empty = join(dir, 'empty.yaml')
    const comments = join(dir, 'comments.yaml')
    await writeFile(empty, '')
    await writeFile(comments, '# nothing\n#mdns: false\n')
    assert.deepEqual(await loadConfig(empty, { mustExist: true }), defaultConfig())
    assert.deepEqual(await loadConfig(comments, { mustExist: true }), defaultConfig())
  })

  it('a directory is refused, whether or not the file must exist', async () => {
    const sub = join(dir, 'adir')
    await mkdir(sub)
    await expectLoadError(sub, true, { says: ['cannot read file: EISDIR (is a directory'] })
    await expectLoadError(sub, false, { says: ['is a directory'] })
  })

  it('a path through a regular file is refused even when the file need not exist', async () => {
    const file = join(dir, 'plain.yaml')
    await writeFile(file, '')
    await expectLoadError(join(file, 'x.yaml'), false, { says: ['cannot read file: ENOTDIR'] })
  })

  it('something that is not a regular file is refused without reading it', async () => {
    await expectLoadError('/dev/null', true, { says: ['cannot read file: not a regular file'] })
  })

  it('a symlink to a good file is followed; a dangling one counts as missing', async () => {
    const target = join(dir, 'target.yaml')
    await writeFile(target, 'mdns: false\n')
    await symlink(target, join(dir, 'link.yaml'))
    assert.equal((await loadConfig(join(dir, 'link.yaml'), { mustExist: true })).mdns, false)
    await symlink(join(dir, 'nowhere.yaml'), join(dir, 'dangling.yaml'))
    await expectLoadError(join(dir, 'dangling.yaml'), true, { says: ['ENOENT'] })
  })

  it('an unreadable file is refused (when not running as root)', async function () {
    const file = join(dir, 'secret.yaml')
    await writeFile(file, 'mdns: false\n')
    await chmod(file, 0o000)
    if (process.getuid?.() === 0) {
      // root reads it regardless of mode; the content must still parse normally.
      assert.equal((await loadConfig(file, { mustExist: true })).mdns, false)
    } else {
      await expectLoadError(file, true, { says: ['cannot read file: EACCES (permission denied)'] })
    }
  })

  it('an oversize file is refused before it is read', async () => {
    const file = join(dir, 'big.yaml')
    await writeFile(file, `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`)
    await expectLoadError(file, true, { says: ['file too large', `at most ${MAX_CONFIG_BYTES}`] })
  })

  it('a file of exactly the limit is read', async () => {
    const file = join(dir, 'limit.yaml')
    const text = `mdns: false\n# ${'x'.repeat(MAX_CONFIG_BYTES - 15)}\n`
    assert.equal(Buffer.byteLength(text), MAX_CONFIG_BYTES)
    await writeFile(file, text)
    assert.equal((await loadConfig(file, { mustExist: true })).mdns, false)
  })

  it('bytes that are not UTF-8 are refused', async () => {
    const file = join(dir, 'latin1.yaml')
    await writeFile(file, Buffer.from([0x6d, 0x64, 0x6e, 0x73, 0x3a, 0x20, 0xe9, 0x0a]))
    await expectLoadError(file, true, { says: ['not valid UTF-8'] })
  })

  it('content errors name the file as given, with line and field', async () => {
    const file = join(dir, 'bad.yaml')
    await writeFile(file, '# comment\nnetwork:\n  allowPrivateAdresses: true\n')
    await expectLoadError(file, true, { line: 3, field: 'network.allowPrivateAdresses', says: ['unknown option'] })
  })
})
