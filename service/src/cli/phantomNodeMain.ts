import { Command } from 'commander'
import { HostsFileError } from '../dns/hostsFile.js'
import { ConfigError, CONFIG_ERROR_EXIT_CODE, DEFAULT_CONFIG_PATH, loadConfig } from '../config/index.js'
import { createLogger } from '../logging/logger.js'
import { PhantomNode } from '../daemon/phantomNode.js'
import { settingsFromConfig } from '../daemon/settingsFromConfig.js'
import { ControlServer } from '../control/controlServer.js'
import { controlMethods } from '../daemon/controlMethods.js'
import { StateFileError } from '../state/stateError.js'
import { phantomVersion } from '../daemon/version.js'

const EXIT_STATE_ERROR = 74 // EX_IOERR: a key or state file cannot be used
const EXIT_START_FAILED = 69 // EX_UNAVAILABLE

function fail (message: string, code: number): never {
  process.stderr.write(`phantom-node: ${message}\n`)
  process.exit(code)
}

async function main (): Promise<void> {
  const program = new Command()
    .name('phantom-node')
    .description('Phantom anonymity network node daemon')
    .version(phantomVersion())
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG_PATH)
    .showHelpAfterError()
    .parse()
  const opts = program.opts<{ config: string }>()
  const explicit = program.getOptionValueSource('config') === 'cli'

  let config
  try {
    config = await loadConfig(opts.config, { mustExist: explicit })
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, CONFIG_ERROR_EXIT_CODE)
    throw err
  }
  const settings = settingsFromConfig(config)
  const log = createLogger(settings.logLevel, 'node')

  process.on('unhandledRejection', (reason) => {
    log.warn('unhandled rejection (ignored)', { err: reason })
  })

  let node: PhantomNode
  try {
    node = await PhantomNode.start(settings, log)
  } catch (err) {
    if (err instanceof StateFileError) fail(err.message, EXIT_STATE_ERROR)
    if (err instanceof HostsFileError) fail(err.message, CONFIG_ERROR_EXIT_CODE)
    fail(`cannot start: ${(err as Error).message}`, EXIT_START_FAILED)
  }
  const control = new ControlServer(settings.controlSocket, controlMethods(node), log.child('control'))
  try {
    await control.start()
  } catch (err) {
    await node.stop()
    fail(`cannot open the control socket ${settings.controlSocket}: ${(err as Error).message}`, EXIT_START_FAILED)
  }
  log.info('control socket ready', { path: settings.controlSocket })

  let signals = 0
  const shutdown = (signal: string): void => {
    signals++
    if (signals > 1) {
      log.warn('second signal, exiting at once', { signal })
      process.exit(1)
    }
    log.info('shutting down', { signal })
    void (async () => {
      await control.stop()
      await node.stop()
      process.exit(0)
    })()
  }
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
  process.on('SIGINT', () => { shutdown('SIGINT') })
}

main().catch((err: unknown) => {
  fail(`fatal: ${(err as Error)?.message ?? String(err)}`, EXIT_START_FAILED)
})
