import assert from 'node:assert/strict'
import { ed25519Generate, randomBytes, x25519Generate } from '../../src/crypto/index.js'
import {
  encodeSetupPackage, FLAG_Y, openSlot, sealSlot, SLOT_LEN, SLOT_PLAIN, type SetupPackage, type SetupRound
} from '../../src/path/index.js'

function pkg (constructionKey: Buffer): SetupPackage {
  return {
    flags: FLAG_Y, prev: { peerId: randomBytes(38), multiaddrs: [] }, next: { peerId: randomBytes(38), multiaddrs: [randomBytes(12)] },
    linkIn: randomBytes(32), linkOut: randomBytes(32), constructionKey,
    dummyOps: [{ kind: 'none' }, { kind: 'none' }, { kind: 'none' }, { kind: 'none' }],
    replacementSeed: randomBytes(32), peelKey: randomBytes(32), keySeed: Buffer.alloc(32), keyCount: 0, expectedHash: randomBytes(32), apAddress: Buffer.alloc(16), apRecord: Buffer.alloc(0)
  }
}

describe('path setup slot', () => {
  const construction = ed25519Generate()
  const recipient = x25519Generate()
  const linkIn = randomBytes(32)
  const seal = (round: SetupRound, p = pkg(construction.publicKey), key = construction.secretKey): Buffer =>
    sealSlot({ round, packageBytes: encodeSetupPackage(p), linkIn, recipientPbk: recipient.publicKey, constructionSecretKey: key })

  it('has one fixed length and opens for its recipient over its link in its round', () => {
    const p = pkg(construction.publicKey)
    const slot = seal(1, p)
    assert.equal(slot.length, SLOT_LEN)
    assert.equal(SLOT_LEN, 24 + SLOT_PLAIN + 64 + 48 + 16)
    const opened = openSlot(slot, linkIn, 1, [recipient])
    assert.ok(opened != null)
    assert.deepEqual(Buffer.from(opened.replacementSeed), Buffer.from(p.replacementSeed))
    assert.ok(openSlot(seal(2), linkIn, 2, [recipient], construction.publicKey) != null)
  })

  it('opens for no one else: other key, other link (even with the recipient key pair), other round', () => {
    const slot = seal(1)
    assert.equal(openSlot(slot, linkIn, 1, [x25519Generate()]), null)
    assert.equal(openSlot(slot, randomBytes(32), 1, [recipient]), null)
    assert.equal(openSlot(slot, linkIn, 2, [recipient], construction.publicKey), null)
  })

  it('tries every key pair given (pbk grace period)', () => {
    assert.ok(openSlot(seal(1), linkIn, 1, [x25519Generate(), recipient]) != null)
  })

  it('rejects a tampered byte anywhere', () => {
    const slot = seal(1)
    for (const i of [0, 23, 24, 500, SLOT_LEN - 1]) {
      const t = Buffer.from(slot)
      t[i] = (t[i] as number) ^ 0x01
      assert.equal(openSlot(t, linkIn, 1, [recipient]), null)
    }
    assert.equal(openSlot(slot.subarray(1), linkIn, 1, [recipient]), null)
  })

  it('round 2 verifies against the key learned in round 1', () => {
    const other = ed25519Generate()
    // Signed by another key that the package names: rejected because round 1 taught a different key.
    assert.equal(openSlot(seal(2, pkg(other.publicKey), other.secretKey), linkIn, 2, [recipient], construction.publicKey), null)
    // Names the right key but signed by another one: rejected.
    assert.equal(openSlot(seal(2, pkg(construction.publicKey), other.secretKey), linkIn, 2, [recipient], construction.publicKey), null)
    // Round 1: the signature must match the key inside the package.
    assert.equal(openSlot(seal(1, pkg(construction.publicKey), other.secretKey), linkIn, 1, [recipient]), null)
  })
})
