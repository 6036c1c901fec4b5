/**
 * A service's published contract: the OpenAPI 3.1 document of its HTTP contracts and the JSON Schemas of the
 * events it publishes and consumes, as one {@link dev.flotilla.core.contract.ContractDocument} that can be served,
 * snapshotted beside the code and compared with the snapshot (see {@code docs/versioning.md}).
 */
package dev.flotilla.core.contract;
