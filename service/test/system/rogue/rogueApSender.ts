/**
 * A rogue sender for the TUN system test (issue 6: "a packet from A carrying
 * a forged source AP address is dropped at B"). A real daemon cannot send
 * such a packet: its own router drops outbound packets whose source is not
 * its AP address (`outbound.foreignSource`). This program is a genuine
 * Phantom node built from the library (PhantomNode, with its own identity,
 * network database and exit paths; no TUN interface, no control socket) that
 * opens an authenticated session to the target AP address the normal way
 * (its exit path, the target's entry path) and then writes IPv6 packets
 * straight into that session's datagram channel, bypassing any router: ICMPv6
 * echo requests with whatever source address it is told to put in them.
 *
 *   node rogueApSender.js --config FILE --target AP [--log FILE] [--connect-timeout SECONDS]
 *
 * The configuration is an ordinary phantom-node YAML file. Output is one JSON
 * object a line on stdout (the node's own log goes to --log, or is dropped):
 *   {"event":"started","ap","peerId"}  {"event":"exit-path"}  {"event":"session","peer"}
 *   {"event":"sent","source","identifier","sequence","accepted"}
 *   {"event":"echo-reply","source","destination","identifier","sequence","checksumValid"}
 *   {"event":"datagram","bytes"} (anything else the session carried)
 *   {"event":"session-closed"}  {"event":"error","message"}  {"event":"stopped"}
 * Commands are one JSON object a line on stdin:
 *   {"identifier": 0..65535, "sequence": 0..65535, "source"?: "fd50:…"}
 * sends one echo request to the target, from `source` (default: the node's own
 * AP address), its checksum computed over that source. End of stdin, SIGTERM
 * or SIGINT stop the node and exit.
 */
import { createWriteStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { loadConfig } from '../../../src/config/index.js'
import { PhantomNode } from '../../../src/daemon/phantomNode.js'
import { settingsFromConfig } from '../../../src/daemon/settingsFromConfig.js'
import { createLogger } from '../../../src/logging/logger.js'
import { deriveApAddress, formatApAddress, parseApAddress } from '../../../src/netdb/apAddress.js'
import type { Session } from '../../../src/session/streams/session.js'
import { echoRequestPacket, parseEchoReply } from './echoRequestPacket.js'

const PATH_POLL_MS = 500
const CONNECT_RETRY_MS = 2000
/** Recognisable in a capture: `tcpdump -X` shows it. */
const ECHO_DATA = Buffer.from('phantom rogue AP sender echo data')

function emit (event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ event, ...fields }) + '\n')
}

async function delay (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

interface SendCommand { identifier: number, sequence: number, source?: string }

function parseCommand (line: string): SendCommand {
  const value = JSON.parse(line) as unknown
  if (typeof value !== 'object' || value === null) throw new Error('a command is a JSON object')
  const { identifier, sequence, source } = value as Record<string, unknown>
  const isU16 = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff
  if (!isU16(identifier) || !isU16(sequence)) throw new Error('"identifier" and "sequence" must be integers 0..65535')
  if (source !== undefined && typeof source !== 'string') throw new Error('"source" must be an AP address')
  return { identifier, sequence, ...(source !== undefined ? { source } : {}) }
}

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      target: { type: 'string' },
      log: { type: 'string' },
      'connect-timeout': { type: 'string', default: '300' }
    }
  })
  if (values.config === undefined || values.target === undefined) throw new Error('usage: rogueApSender --config FILE --target AP [--log FILE] [--connect-timeout SECONDS]')
  const target = parseApAddress(values.target)
  const connectTimeoutMs = Number(values['connect-timeout']) * 1000
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) throw new Error('--connect-timeout must be a positive number of seconds')

  const settings = settingsFromConfig(await loadConfig(values.config, { mustExist: true }))
  // the rogue writes packets itself: no TUN interface, resolver or SOCKS proxy of its own
  settings.tun = { ...settings.tun, enabled: false }
  settings.dns = { ...settings.dns, enabled: false }
  settings.socks = { ...settings.socks, enabled: false }
  const logFile = values.log !== undefined ? createWriteStream(values.log, { flags: 'a' }) : null
  const log = createLogger(settings.logLevel, 'rogue', (line) => { logFile?.write(line + '\n') })
  process.on('unhandledRejection', (reason) => { log.warn('unhandled rejection (ignored)', { err: reason }) })

  const node = await PhantomNode.start(settings, log)
  const ownAp = deriveApAddress(node.apIdentity.routing.publicKey)
  emit('started', { ap: formatApAddress(ownAp), peerId: node.peerId.toString() })

  let stopping = false
  let session: Session | null = null
  const pending: string[] = []
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    session?.close()
    await node.stop().catch((err: unknown) => { log.warn('stop failed', { err }) })
    emit('stopped')
    logFile?.end()
    process.exit(0)
  }
  process.on('SIGTERM', () => { void stop() })
  process.on('SIGINT', () => { void stop() })

  const send = (line: string): void => {
    if (session === null) { pending.push(line); return }
    try {
      const command = parseCommand(line)
      const source = command.source !== undefined ? parseApAddress(command.source) : ownAp
      const packet = echoRequestPacket({ source, destination: target, identifier: command.identifier, sequence: command.sequence, data: ECHO_DATA })
      const accepted = session.sendDatagram(packet)
      emit('sent', { source: formatApAddress(source), identifier: command.identifier, sequence: command.sequence, accepted })
    } catch (err) {
      emit('error', { message: (err as Error).message })
    }
  }
  const commands = createInterface({ input: process.stdin })
  commands.on('line', (line) => { if (line.trim() !== '') send(line) })
  commands.on('close', () => { void stop() })

  const deadline = Date.now() + connectTimeoutMs
  while (!node.paths().some((p) => p.kind === 'exit' && p.state === 'ready')) {
    if (stopping) return
    if (Date.now() > deadline) throw new Error('no exit path became ready in time')
    await delay(PATH_POLL_MS)
  }
  emit('exit-path')
  for (;;) {
    if (stopping) return
    try {
      session = await node.sessionService.connect(target, AbortSignal.timeout(Math.max(1000, deadline - Date.now())))
      break
    } catch (err) {
      log.info('session to the target not open yet', { err: (err as Error).message })
      if (Date.now() > deadline) throw new Error(`no session to ${values.target}: ${(err as Error).message}`)
      await delay(CONNECT_RETRY_MS)
    }
  }
  session.on('datagram', (packet) => {
    const reply = parseEchoReply(packet)
    if (reply === null) { emit('datagram', { bytes: packet.length }); return }
    emit('echo-reply', {
      source: formatApAddress(reply.source),
      destination: formatApAddress(reply.destination),
      identifier: reply.identifier,
      sequence: reply.sequence,
      checksumValid: reply.checksumValid
    })
  })
  session.on('close', () => { emit('session-closed') })
  emit('session', { peer: formatApAddress(session.peer.apAddress) })
  for (const line of pending.splice(0)) send(line)
}

main().catch((err: unknown) => {
  emit('error', { message: (err as Error)?.message ?? String(err) })
  process.stderr.write(`rogueApSender: ${(err as Error)?.stack ?? String(err)}\n`)
  process.exit(1)
})
