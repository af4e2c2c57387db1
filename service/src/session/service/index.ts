export * from './exposedServices.js'
export * from './sessionService.js'
