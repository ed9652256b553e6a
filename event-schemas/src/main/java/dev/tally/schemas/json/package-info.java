/** Events as JSON bytes: {@link dev.tally.schemas.json.EventJson} and the Kafka serde. */
package dev.tally.schemas.json;
