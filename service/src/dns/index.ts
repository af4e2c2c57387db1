/** The `.phantom` resolver (PROTOCOL.md §9): answers AP addresses for `.phantom` names and petnames, refuses the rest, never forwards. */
export * from './dnsConstants.js'
export * from './dnsName.js'
export * from './dnsMessage.js'
export * from './petname.js'
export * from './hostsFile.js'
export * from './phantomAnswer.js'
export * from './phantomResolver.js'
export * from './resolvedRouting.js'
