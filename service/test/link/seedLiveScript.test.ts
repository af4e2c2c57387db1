import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { runCommand, type CommandResult } from '../harness/runCommand.js'
import { serviceDir } from '../harness/repoPaths.js'
import { parseSeedFile, SEED_FILE_MAX_BYTES } from '../../src/link/seedFile.js'
import { randomBytes } from '../../src/crypto/random.js'

/**
 * The live system's /usr/local/sbin/phantom-seed, run on this machine: it
 * collects seeds.txt from the live medium and from filesystems with the seed
 * label into the file the daemon reads. The disk cases need root (loop
 * devices, mount), as CI runs them; each run uses its own label so that no
 * other disk of the machine is picked up.
 */
const SCRIPT = join(serviceDir(), '..', 'live-config', 'config', 'includes.chroot_after_packages', 'usr', 'local', 'sbin', 'phantom-seed')

describe('live system: phantom-seed collects seed files', function () {
  this.timeout(60_000)
  let dir: string
  let dest: string
  let medium: string
  let label: string
  let ids: string[]
  before(async () => {
    ids = await Promise.all([1, 2].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
  })
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phantom-seed-live-'))
    dest = join(dir, 'run-phantom-seed')
    medium = join(dir, 'medium')
    label = `PS${randomBytes(4).toString('hex').toUpperCase()}`
    await mkdir(join(medium, 'phantom'), { recursive: true })
  })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  async function runScript (): Promise<CommandResult> {
    const result = await runCommand('sh', [SCRIPT], 30_000, { ...process.env, PHANTOM_SEED_DEST: dest, PHANTOM_SEED_MEDIUM: medium, PHANTOM_SEED_LABELS: `OTHER ${label}` })
    assert.equal(result.code, 0, result.stderr)
    return result
  }

  async function seedsWritten (): Promise<string[]> {
    const file = join(dest, 'seeds.txt')
    assert.equal((await stat(file)).mode & 0o777, 0o644)
    const parsed = parseSeedFile(await readFile(file, 'utf8'), file)
    assert.deepEqual(parsed.warnings, [])
    return parsed.entries
  }

  it('copies phantom/seeds.txt from the live medium; with nothing found it removes an old copy and still succeeds', async () => {
    const a = `/ip4/192.0.2.1/tcp/4821/p2p/${ids[0]!}`
    await writeFile(join(medium, 'phantom', 'seeds.txt'), `# mine\n${a}`)
    const out = await runScript()
    assert.match(out.stdout, /phantom-seed: .*medium\/phantom\/seeds\.txt: 1 seed lines/)
    assert.deepEqual(await seedsWritten(), [a])

    await rm(join(medium, 'phantom', 'seeds.txt'))
    const none = await runScript()
    assert.match(none.stdout, /no seed file found/)
    assert.equal(existsSync(join(dest, 'seeds.txt')), false)
    assert.deepEqual((await runCommand('ls', ['-A', dest])).stdout, '', 'no temporary file left behind')
  })

  it('refuses a symlink and an oversized file', async () => {
    await symlink('/etc/passwd', join(medium, 'phantom', 'seeds.txt'))
    const linked = await runScript()
    assert.match(linked.stdout, /not a regular file, ignored/)
    assert.equal(existsSync(join(dest, 'seeds.txt')), false)

    await rm(join(medium, 'phantom', 'seeds.txt'))
    await writeFile(join(medium, 'phantom', 'seeds.txt'), '#'.repeat(SEED_FILE_MAX_BYTES + 1))
    const big = await runScript()
    assert.match(big.stdout, /larger than 65536 bytes, ignored/)
    assert.equal(existsSync(join(dest, 'seeds.txt')), false)
  })

  describe('disks with the seed label (root: loop devices)', () => {
    const loops: string[] = []
    afterEach(async () => {
      for (const loop of loops.splice(0)) await runCommand('losetup', ['-d', loop])
    })

    /** A filesystem image with the test's label, filled from a directory by mkfs -d (no mount needed), attached to a loop device. */
    async function labelledDisk (name: string, mkfs: string, diskLabel: string, files: Record<string, string>, links: Record<string, string> = {}): Promise<string> {
      const content = join(dir, `${name}.d`)
      await mkdir(content)
      for (const [file, text] of Object.entries(files)) await writeFile(join(content, file), text)
      for (const [file, target] of Object.entries(links)) await symlink(target, join(content, file))
      const image = join(dir, `${name}.img`)
      const made = await runCommand(mkfs, ['-q', '-L', diskLabel, '-d', content, image, '8M'])
      assert.equal(made.code, 0, made.stderr)
      const attached = await runCommand('losetup', ['--find', '--show', image])
      assert.equal(attached.code, 0, attached.stderr)
      loops.push(attached.stdout.trim())
      return attached.stdout.trim()
    }

    // vfat, the usual seed stick, is mounted the same way; this machine's kernel has no vfat, the ISO test (iso-tests/seed.sh) covers it
    it('copies seeds.txt from a labelled disk (any case) after the medium\'s; another label is left alone, a symlink refused; nothing stays mounted', async () => {
      assert.equal(process.getuid?.(), 0, 'these cases need root (loop devices and mount), as CI runs them')
      const a = `/ip4/192.0.2.1/tcp/4821/p2p/${ids[0]!}`
      const b = `/ip6/2001:db8::2/tcp/4821/p2p/${ids[1]!}`
      await writeFile(join(medium, 'phantom', 'seeds.txt'), `${a}\n`)
      // the label is compared without regard to case (a stick labelled on another system)
      const good = await labelledDisk('good', 'mkfs.ext4', label.toLowerCase(), { 'seeds.txt': `# from the stick\r\n${b}\r\n` })
      const unlabelled = await labelledDisk('unlabelled', 'mkfs.ext4', `${label}X`, { 'seeds.txt': `/ip4/192.0.2.9/tcp/1/p2p/${ids[0]!}\n` })
      const linked = await labelledDisk('linked', 'mkfs.ext2', label, {}, { 'seeds.txt': '/etc/shadow' })
      const out = await runScript()
      assert.match(out.stdout, new RegExp(`${good}:/seeds\\.txt: 1 seed lines`), out.stdout)
      assert.match(out.stdout, new RegExp(`${linked}:/seeds\\.txt: not a regular file, ignored`), out.stdout)
      assert.ok(!out.stdout.includes(`${unlabelled}:`), 'a disk with another label was looked at')
      assert.deepEqual(await seedsWritten(), [a, b])
      const mounts = await readFile('/proc/self/mounts', 'utf8')
      assert.ok(!mounts.includes(good) && !mounts.includes(linked) && !mounts.includes('phantom-seed-mnt'), 'a seed disk is still mounted')
      assert.deepEqual((await runCommand('sh', ['-c', 'ls -d /run/phantom-seed-mnt.* 2>/dev/null'])).stdout, '', 'a mount point is left in /run')
    })
  })
})
