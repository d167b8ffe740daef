// Public names of the storage room: s3:// URLs for every reader and writer. It imports only the
// core room and node; the AWS SDK is loaded on the first s3:// request.
export { isS3Url, joinLocation, parseS3Url, s3Url, type S3Location } from './url.js';
export { configureStorage, storageSettings, type StorageOptions, type StorageSettings } from './client.js';
export { StorageError, isRetryable } from './retry.js';
export { ObjectBlocks, OBJECT_BLOCK_SIZE, parseContentRange } from './object-blocks.js';
export { ObjectWriteStream, partSizeFor } from './object-writer.js';
export { deleteObject, getObjectBytes, headObject, listObjects, putObjectBytes, readObjectRange, type ListedObject, type ObjectInfo } from './objects.js';
