export * from './decodeError.js'
export * from './byteWriter.js'
export * from './byteReader.js'
