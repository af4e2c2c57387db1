import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProcessNode } from '../harness/processNode.js'
import { NamespaceLan } from '../harness/namespaceLan.js'
import { waitFor } from '../harness/waitFor.js'
import { sha256OfFile, writeRandomFile } from '../harness/randomFile.js'
import { requireRoot } from '../tun/helpers/testNamespace.js'
import { addressHex, capturedPackets, spawnRogueSender } from './rogue/rogueProcess.js'
import type { JsonLineChild } from '../tun/helpers/jsonLineChild.js'

const NODES = 12
const FILE_BYTES = 100 * 1024 * 1024
const HTTP_PORT = 8080
const IPERF_PORT = 5201
const CLOSED_PORT = 8081

/**
 * Issue 6 end to end: every daemon in its own network namespace with its own
 * TUN interface, the namespaces joined only by a private bridge. Unmodified
 * programs in A's namespace reach B's AP address over a full connection (A's
 * exit path, B's entry path): ping -6, curl, iperf3 TCP and UDP, nc both ways.
 */
describe(`TUN interface end to end: ${NODES} daemons, each in its own namespace`, function () {
  this.timeout(900_000)
  let lan: NamespaceLan | undefined
  const nodes: ProcessNode[] = []
  const servers: ChildProcess[] = []
  let dir = ''
  let bAp = ''
  let bName = ''
  let sha256 = ''

  const inA = async (args: string[], timeoutMs = 60_000): Promise<{ code: number, stdout: string, stderr: string }> => await lan!.nodes[0]!.exec(args, timeoutMs)
  const serveInB = (args: string[]): ChildProcess => {
    const child = spawn('ip', ['netns', 'exec', lan!.nodes[1]!.name, ...args], { stdio: 'ignore', cwd: dir })
    servers.push(child)
    return child
  }

  before(async function () {
    requireRoot()
    dir = await mkdtemp(join(tmpdir(), 'phantom-tun-net-'))
    sha256 = await writeRandomFile(join(dir, 'file'), FILE_BYTES)
    lan = await NamespaceLan.create(NODES)
    for (let i = 0; i < NODES; i++) {
      const path = { count: { exit: i === 0 ? 2 : 0, entry: i === 1 ? 2 : 0 }, diversity: false }
      const node = await ProcessNode.create({
        name: `ns-node${i}`,
        netns: lan.nodes[i]!.name,
        bootstrap: i === 0 ? [] : [`/ip4/${lan.addressOf(0)}/tcp/4821/p2p/${nodes[0]!.peerId}`],
        config: {
          listen: [`/ip4/${lan.addressOf(i)}/tcp/4821`],
          path,
          tun: { enabled: true },
          ...(i === 0 ? { dns: { enabled: true, hostsFile: join(dir, 'hosts') } } : {}),
          ...(i === 1 ? { ap: { expose: [HTTP_PORT, IPERF_PORT] } } : {})
        }
      })
      nodes.push(node)
      await node.start()
    }
    const [a, b] = [nodes[0]!, nodes[1]!]
    bAp = (await b.status()).ap[0]!.address
    bName = (await b.status()).ap[0]!.name
    // programs in A's namespace use the node's resolver (ip netns exec mounts /etc/netns/<ns>/resolv.conf)
    await mkdir(`/etc/netns/${lan.nodes[0]!.name}`, { recursive: true })
    await writeFile(`/etc/netns/${lan.nodes[0]!.name}/resolv.conf`, 'nameserver 127.0.80.53\n')
    await waitFor('A has an exit path', async () => (await a.status()).paths.some((p) => p.kind === 'exit' && p.state === 'ready'), 300_000, 1000)
    await waitFor('B has an entry path', async () => (await b.status()).paths.some((p) => p.kind === 'entry' && p.state === 'ready'), 300_000, 1000)
    await waitFor('A reaches B', async () => await a.call('session.ping', { target: bAp }).then(() => true, () => false), 180_000, 1000)
  })

  after(async function () {
    for (const s of servers) s.kill('SIGKILL')
    await Promise.allSettled(nodes.map(async (n) => { await n.destroy() }))
    if (lan != null) await rm(`/etc/netns/${lan.nodes[0]!.name}`, { recursive: true, force: true })
    await lan?.remove()
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('status shows phantom0 with the AP address; the interface carries it as /128 and routes fd50::/16', async () => {
    const status = await nodes[0]!.status()
    assert.equal(status.tun?.name, 'phantom0')
    assert.deepEqual(status.tun?.apAddresses, [status.ap[0]!.address])
    const addr = await inA(['ip', '-6', 'address', 'show', 'dev', 'phantom0'])
    assert.match(addr.stdout, new RegExp(`${status.ap[0]!.address}/128`))
    const route = await inA(['ip', '-6', 'route', 'show', 'fd50::/16'])
    assert.match(route.stdout, /fd50::\/16 dev phantom0/)
  })

  it('ping -6 from A reaches B\'s AP address', async () => {
    const r = await inA(['ping', '-6', '-c', '3', '-W', '10', bAp], 60_000)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /3 received/)
  })

  it('curl fetches 100 MB from an HTTP server B exposes on its AP address; sha256 matches', async () => {
    serveInB(['python3', '-m', 'http.server', String(HTTP_PORT), '--bind', '::', '--directory', dir])
    await waitFor('HTTP server in B', async () => (await lan!.nodes[1]!.exec(['ss', '-ltn', `sport = :${HTTP_PORT}`])).stdout.includes(`:${HTTP_PORT}`), 20_000, 200)
    const out = join(dir, 'fetched')
    const r = await inA(['curl', '--silent', '--show-error', '--fail', '--max-time', '600', '-g', '--output', out, '--write-out', '%{speed_download}', `http://[${bAp}]:${HTTP_PORT}/file`], 620_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await sha256OfFile(out), sha256)
    console.log(`      100 MB over TUN at ${(Number(r.stdout) * 8 / 1e6).toFixed(1)} Mbit/s`)
  })

  it('the resolver answers B\'s .phantom name, refuses example.com, and no DNS packet leaves A\'s namespace (capture on its LAN interface)', async () => {
    const pcap = join(dir, 'dns.pcap')
    const capture = spawn('ip', ['netns', 'exec', lan!.nodes[0]!.name, 'tcpdump', '-i', 'eth0', '-n', '--immediate-mode', '-U', '-w', pcap, 'port 53'], { stdio: ['ignore', 'ignore', 'pipe'] })
    let captureLog = ''
    capture.stderr!.on('data', (d: Buffer) => { captureLog += d.toString() })
    try {
      await waitFor('tcpdump listening', () => captureLog.includes('listening on'), 20_000, 100)
      const aaaa = await inA(['dig', '+short', '+time=5', '+tries=1', 'AAAA', bName])
      assert.equal(aaaa.stdout.trim(), bAp)
      const other = await inA(['dig', '+time=5', '+tries=1', 'A', 'example.com'])
      assert.match(other.stdout, /status: REFUSED/)
      const byName = await inA(['curl', '--silent', '--show-error', '--fail', '--max-time', '120', '--output', '/dev/null', '--write-out', '%{size_download}', `http://${bName}:${HTTP_PORT}/file`], 130_000)
      assert.equal(byName.code, 0, byName.stderr)
      assert.equal(Number(byName.stdout), FILE_BYTES)
      const resolved = await nodes[0]!.call<{ address: string, via: string }>('resolve', { name: bName })
      assert.deepEqual([resolved.address, resolved.via], [bAp, 'phantom-name'])
    } finally {
      capture.kill('SIGINT')
      await new Promise<void>((resolve) => { capture.once('exit', () => { resolve() }) })
    }
    const packets = await inA(['tcpdump', '-r', pcap, '-n'])
    assert.equal(packets.stdout.trim(), '', `DNS packets left A's namespace:\n${packets.stdout}`)
    assert.match(packets.stderr + captureLog, /0 packets captured|reading from file/)
  })

  it('a port B does not expose cannot be reached, even with a listener behind it', async () => {
    serveInB(['python3', '-m', 'http.server', String(CLOSED_PORT), '--bind', '::', '--directory', dir])
    await waitFor('second HTTP server in B', async () => (await lan!.nodes[1]!.exec(['ss', '-ltn', `sport = :${CLOSED_PORT}`])).stdout.includes(`:${CLOSED_PORT}`), 20_000, 200)
    const r = await inA(['curl', '--silent', '--max-time', '8', '-g', `http://[${bAp}]:${CLOSED_PORT}/file`, '--output', '/dev/null'], 30_000)
    assert.notEqual(r.code, 0, 'the unexposed port answered')
  })

  it('iperf3 over TCP and over UDP', async () => {
    serveInB(['iperf3', '-s', '-p', String(IPERF_PORT)])
    await waitFor('iperf3 server in B', async () => (await lan!.nodes[1]!.exec(['ss', '-ltn', `sport = :${IPERF_PORT}`])).stdout.includes(`:${IPERF_PORT}`), 20_000, 200)
    const tcp = await inA(['iperf3', '-c', bAp, '-p', String(IPERF_PORT), '-t', '3', '-J'], 120_000)
    assert.equal(tcp.code, 0, tcp.stdout.slice(-500) + tcp.stderr)
    const tcpBits = (JSON.parse(tcp.stdout) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second
    assert.ok(tcpBits > 0)
    const udp = await inA(['iperf3', '-c', bAp, '-p', String(IPERF_PORT), '-u', '-b', '20M', '-t', '3', '-J'], 120_000)
    assert.equal(udp.code, 0, udp.stdout.slice(-500) + udp.stderr)
    const udpEnd = (JSON.parse(udp.stdout) as { end: { sum: { bits_per_second: number, lost_percent: number } } }).end.sum
    assert.ok(udpEnd.bits_per_second > 0)
    console.log(`      iperf3 TCP ${(tcpBits / 1e6).toFixed(1)} Mbit/s; UDP ${(udpEnd.bits_per_second / 1e6).toFixed(1)} Mbit/s offered 20, ${udpEnd.lost_percent.toFixed(1)} % lost`)
    // UDP offered far beyond what the tunnel carries: A drops what its tunnel cannot take instead of queueing it
    const droppedBefore = (await nodes[0]!.call<Array<{ datagramsDropped: number }>>('sessions')).reduce((sum, x) => sum + x.datagramsDropped, 0)
    const flood = await inA(['iperf3', '-c', bAp, '-p', String(IPERF_PORT), '-u', '-b', '10G', '-l', '60000', '-t', '2', '-J'], 120_000)
    assert.equal(flood.code, 0, flood.stdout.slice(-500) + flood.stderr)
    const dropped = (await nodes[0]!.call<Array<{ datagramsDropped: number }>>('sessions')).reduce((sum, x) => sum + x.datagramsDropped, 0) - droppedBefore
    assert.ok(dropped > 0, 'A dropped packets its congested tunnel could not take')
    console.log(`      UDP offered at 10 Gbit/s for 2 s: A dropped ${dropped} packets at its congested tunnel`)
  })

  it('an interactive exchange both ways with nc', async () => {
    // the listener takes over the exposed iperf3 port
    for (const s of servers) s.kill('SIGKILL')
    await waitFor('iperf3 server gone', async () => !(await lan!.nodes[1]!.exec(['ss', '-ltn', `sport = :${IPERF_PORT}`])).stdout.includes(`:${IPERF_PORT}`), 20_000, 200)
    const listener = spawn('ip', ['netns', 'exec', lan!.nodes[1]!.name, 'python3', '-u', '-c', `
import socket, sys
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('::', ${IPERF_PORT})); s.listen(1)
c, _ = s.accept()
line = c.recv(100)
sys.stdout.write('B got ' + line.decode()); sys.stdout.flush()
c.sendall(b'hello from B\\n')
c.recv(100)
`], { stdio: ['ignore', 'pipe', 'inherit'] })
    servers.push(listener)
    let bSaw = ''
    listener.stdout!.on('data', (d: Buffer) => { bSaw += d.toString() })
    await waitFor('listener in B', async () => (await lan!.nodes[1]!.exec(['ss', '-ltn', `sport = :${IPERF_PORT}`])).stdout.includes(`:${IPERF_PORT}`), 20_000, 200)
    const r = await inA(['sh', '-c', `printf 'hello from A\\n' | nc -6 -N -w 20 ${bAp} ${IPERF_PORT}`], 30_000)
    assert.match(r.stdout, /hello from B/)
    await waitFor('B received A\'s line', () => bSaw.includes('B got hello from A'), 10_000, 100)
  })

  it('an IPv4-only program reaches B: dig A gives a mapped 100.64/10 address; ping -4, curl -4 by name (100 MB, sha256) and a UDP exchange work; B sees A\'s AP address; a service B runs on IPv4 only is reached by curl -6 and curl -4', async () => {
    for (const s of servers) s.kill('SIGKILL')
    await waitFor('B\'s earlier listeners gone', async () => (await lan!.nodes[1]!.exec(['ss', '-lntu'])).stdout.match(new RegExp(`:(${HTTP_PORT}|${IPERF_PORT})\\b`)) === null, 20_000, 200)
    serveInB(['python3', '-m', 'http.server', String(HTTP_PORT), '--bind', '::', '--directory', dir])
    const udpEcho = spawn('ip', ['netns', 'exec', lan!.nodes[1]!.name, 'python3', '-u', '-c', `
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(('::', ${IPERF_PORT}))
data, peer = s.recvfrom(2048)
sys.stdout.write('B got %s from %s\\n' % (data.decode(), peer[0])); sys.stdout.flush()
s.sendto(b'answer from B', peer)
`], { stdio: ['ignore', 'pipe', 'inherit'] })
    servers.push(udpEcho)
    let bSaw = ''
    udpEcho.stdout!.on('data', (d: Buffer) => { bSaw += d.toString() })
    await waitFor('HTTP and UDP servers in B', async () => {
      const listening = (await lan!.nodes[1]!.exec(['ss', '-lntu'])).stdout
      return listening.includes(`:${HTTP_PORT}`) && listening.includes(`:${IPERF_PORT}`)
    }, 20_000, 200)

    const status = await nodes[0]!.status()
    assert.deepEqual([status.tun?.ipv4?.address, status.tun?.ipv4?.prefix], ['100.64.0.1', '100.64.0.0/10'])
    const route = await inA(['ip', '-4', 'route', 'show', '100.64.0.0/10'])
    assert.match(route.stdout, /100\.64\.0\.0\/10 dev phantom0 .*src 100\.64\.0\.1 .*mtu 65253/)
    const mapped = (await inA(['dig', '+short', '+time=5', '+tries=1', 'A', bName])).stdout.trim()
    assert.match(mapped, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d{1,3}\.\d{1,3}$/, `A answer: ${mapped}`)
    const resolved = await nodes[0]!.call<{ address: string, ipv4: string | null }>('resolve', { name: bName })
    assert.deepEqual([resolved.address, resolved.ipv4], [bAp, mapped])

    const ping = await inA(['ping', '-4', '-c', '3', '-W', '10', mapped], 60_000)
    assert.equal(ping.code, 0, ping.stdout + ping.stderr)
    assert.match(ping.stdout, /3 received/)

    const out = join(dir, 'fetched-ipv4')
    const curl = await inA(['curl', '-4', '--silent', '--show-error', '--fail', '--max-time', '600', '--output', out, '--write-out', '%{remote_ip} %{speed_download}', `http://${bName}:${HTTP_PORT}/file`], 620_000)
    assert.equal(curl.code, 0, curl.stderr)
    const [remoteIp, speed] = curl.stdout.trim().split(' ')
    assert.equal(remoteIp, mapped, 'curl -4 connected to the mapped address')
    assert.equal(await sha256OfFile(out), sha256)

    const udp = await inA(['python3', '-c', `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(10)
s.sendto(b'hello over IPv4', ('${mapped}', ${IPERF_PORT}))
data, peer = s.recvfrom(2048)
print(data.decode(), peer[0])
`], 30_000)
    assert.equal(udp.stdout.trim(), `answer from B ${mapped}`, udp.stdout + udp.stderr)
    await waitFor('B received the datagram', () => bSaw.includes('B got hello over IPv4'), 10_000, 100)
    assert.match(bSaw, new RegExp(`from ${(await nodes[0]!.status()).ap[0]!.address}`), 'B saw A\'s AP address, never an IPv4 address')

    const translator = (await nodes[0]!.status()).tunIpv4
    assert.ok(translator !== null && translator.outbound.translated > 0 && translator.inbound.translated > 0, JSON.stringify(translator))
    console.log(`      100 MB over IPv4 through the translator at ${(Number(speed) * 8 / 1e6).toFixed(1)} Mbit/s; ${translator.outbound.translated} packets out, ${translator.inbound.translated} in`)

    // a service in B that listens only on IPv4: B's daemon delivers its peers' connections as IPv4
    serveInB(['python3', '-m', 'http.server', String(IPERF_PORT), '--bind', '0.0.0.0', '--directory', dir])
    await waitFor('IPv4-only HTTP server in B', async () => (await lan!.nodes[1]!.exec(['ss', '-4', '-ltn', `sport = :${IPERF_PORT}`])).stdout.includes(`:${IPERF_PORT}`), 20_000, 200)
    for (const [family, url] of [['-6', `http://[${bAp}]:${IPERF_PORT}/file`], ['-4', `http://${bName}:${IPERF_PORT}/file`]] as const) {
      const r = await inA(['curl', family, '-g', '--silent', '--show-error', '--fail', '--max-time', '300', '--output', '/dev/null', '--write-out', '%{size_download}', url], 320_000)
      assert.equal(r.code, 0, `curl ${family} to B's IPv4-only service: ${r.stderr}`)
      assert.equal(Number(r.stdout), FILE_BYTES)
    }
    const atB = (await nodes[1]!.status()).tunIpv4
    assert.ok(atB !== null && atB.inbound.toIpv4Services >= 2, `B delivered both connections as IPv4: ${JSON.stringify(atB)}`)
  })

  it('B drops a packet with a forged source AP address sent over a rogue node\'s session: never on B\'s phantom0, counted as forgedSource; the genuine one is answered', async () => {
    // The rogue (test/system/rogue/rogueApSender.ts) is a genuine node built from the library, in the
    // last node's namespace on its own port, with its own exit path; it writes echo requests straight
    // into its authenticated session to B, once with its own AP address as source, once with A's.
    const ECHO_ID = 0x6f67
    const aAp = (await nodes[0]!.status()).ap[0]!.address
    const bNs = lan!.nodes[1]!
    const rogueIndex = NODES - 1
    const rogueFiles = await ProcessNode.create({
      name: 'rogue',
      bootstrap: [`/ip4/${lan!.addressOf(0)}/tcp/4821/p2p/${nodes[0]!.peerId}`],
      config: { listen: [`/ip4/${lan!.addressOf(rogueIndex)}/tcp/4822`], path: { count: { exit: 1, entry: 0 }, diversity: false } }
    })
    const pcap = join(dir, 'forged.pcap')
    let rogue: JsonLineChild | undefined
    let capture: ChildProcess | undefined
    let captureLog = ''
    let rogueAp = ''
    const forged = { before: 0, after: 0 }
    try {
      rogue = spawnRogueSender(lan!.nodes[rogueIndex]!.name, { config: rogueFiles.configFile, target: bAp, log: rogueFiles.logFile, connectTimeoutSeconds: 420 })
      rogueAp = (await rogue.waitFor((e) => e.event === 'started', 'the rogue node started', 120_000)).ap as string
      await rogue.waitFor((e) => e.event === 'session', 'the rogue\'s session to B', 450_000)
      capture = spawn('ip', ['netns', 'exec', bNs.name, 'tcpdump', '-i', 'phantom0', '-n', '--immediate-mode', '-U', '-w', pcap, 'icmp6'], { stdio: ['ignore', 'ignore', 'pipe'] })
      capture.stderr!.on('data', (d: Buffer) => { captureLog += d.toString() })
      await waitFor('tcpdump listening on B\'s phantom0', () => captureLog.includes('listening on'), 20_000, 100)
      const r = rogue
      const echo = async (sequence: number, source?: string): Promise<void> => {
        const sent = await r.request(JSON.stringify({ identifier: ECHO_ID, sequence, ...(source != null ? { source } : {}) }), 'sent', 30_000)
        assert.equal(sent.accepted, true, `the rogue's session refused echo ${sequence}`)
        assert.equal(sent.source, source ?? rogueAp)
      }
      const reply = async (sequence: number): Promise<void> => {
        const got = await r.waitFor((e) => e.event === 'echo-reply' && e.identifier === ECHO_ID && e.sequence === sequence, `B's echo reply ${sequence}`, 60_000)
        assert.deepEqual([got.source, got.destination, got.checksumValid], [bAp, rogueAp, true])
      }
      // 1: genuine source; B's kernel answers over the same session
      await echo(1)
      await reply(1)
      // 2: the same request with A's AP address as source (checksum recomputed for it)
      forged.before = (await nodes[1]!.status()).tunRouter!.inbound.forgedSource
      await echo(2, aAp)
      forged.after = await waitFor('B counts the forged source', async () => {
        const n = (await nodes[1]!.status()).tunRouter!.inbound.forgedSource
        return n > forged.before ? n : false
      }, 60_000, 200)
      // 3: genuine again; datagrams of a session arrive in order, so B handled 2 before 3
      await echo(3)
      await reply(3)
      assert.ok(!r.events.some((e) => e.event === 'echo-reply' && e.sequence === 2), 'the forged request was answered')
      // everything B's phantom0 carried up to the last reply is in the file before the capture stops
      await waitFor('the capture holds the last reply', async () => capturedPackets((await bNs.exec(['tcpdump', '-r', pcap, '-n'])).stdout)
        .some((p) => p.echo?.kind === 'reply' && p.echo.identifier === ECHO_ID && p.echo.sequence === 3), 30_000, 200)
    } finally {
      if (capture != null) {
        const c = capture
        const exited = new Promise<void>((resolve) => { if (c.exitCode != null || c.signalCode != null) resolve(); else c.once('exit', () => { resolve() }) })
        c.kill('SIGINT')
        await exited
      }
      await rogue?.exit(30_000)
      await rogueFiles.destroy()
    }
    assert.equal(forged.after, forged.before + 1, 'one forged packet, one forgedSource')
    const read = await bNs.exec(['tcpdump', '-r', pcap, '-n'])
    assert.equal(read.code, 0, read.stderr)
    const packets = capturedPackets(read.stdout)
    assert.equal(packets.length, read.stdout.split('\n').filter((l) => l.includes(' IP6 ')).length, `unparsed capture lines:\n${read.stdout}`)
    const [rogueHex, bHex, aHex] = [addressHex(rogueAp), addressHex(bAp), addressHex(aAp)]
    const ours = packets.filter((p) => p.echo?.identifier === ECHO_ID)
    const seen = (source: string, destination: string, kind: 'request' | 'reply', sequence: number): unknown => ({ source, destination, echo: { kind, identifier: ECHO_ID, sequence } })
    assert.deepEqual(ours, [
      seen(rogueHex, bHex, 'request', 1), seen(bHex, rogueHex, 'reply', 1),
      seen(rogueHex, bHex, 'request', 3), seen(bHex, rogueHex, 'reply', 3)
    ], `B's phantom0 saw:\n${read.stdout}\n(tcpdump: ${captureLog.trim()})`)
    assert.ok(!packets.some((p) => p.source === aHex || p.destination === aHex), `a packet with A's address on B's phantom0:\n${read.stdout}`)
  })

  it('on stop the daemon removes phantom0; after kill -9 the next start succeeds and recreates it', async () => {
    const a = nodes[0]!
    a.kill()
    await waitFor('phantom0 gone after kill -9', async () => (await inA(['ip', 'link', 'show', 'phantom0'])).code !== 0, 20_000, 200)
    await a.start()
    const status = await a.status()
    assert.equal(status.tun?.name, 'phantom0')
    assert.equal((await inA(['ip', 'link', 'show', 'phantom0'])).code, 0)
    assert.equal(await a.stop(), 0)
    assert.notEqual((await inA(['ip', 'link', 'show', 'phantom0'])).code, 0, 'phantom0 still there after a clean stop')
  })
})
