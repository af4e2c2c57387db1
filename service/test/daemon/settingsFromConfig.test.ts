import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config/parseConfig.js'
import { settingsFromConfig } from '../../src/daemon/settingsFromConfig.js'
import { STREAM_IDLE_TIMEOUT_MS } from '../../src/session/sessionLimits.js'

describe('daemon: settings from the configuration file', () => {
  it('session.streamIdleTimeout reaches the node in ms, the default being the session layer\'s', () => {
    assert.equal(settingsFromConfig(parseConfig('', '/t.yaml')).session?.streamIdleTimeoutMs, STREAM_IDLE_TIMEOUT_MS)
    assert.equal(settingsFromConfig(parseConfig('session:\n  streamIdleTimeout: 2m\n', '/t.yaml')).session?.streamIdleTimeoutMs, 120_000)
    assert.equal(settingsFromConfig(parseConfig('session:\n  streamIdleTimeout: 0s\n', '/t.yaml')).session?.streamIdleTimeoutMs, 0)
  })

  it('network.reachable and the services reach the node', () => {
    const settings = settingsFromConfig(parseConfig('network:\n  reachable: false\nservices:\n  - {port: 80, target: "[::1]:8080"}\n', '/t.yaml'))
    assert.equal(settings.reachable, false)
    assert.deepEqual(settings.services, [{ port: 80, host: '::1', targetPort: 8080 }])
  })
})
