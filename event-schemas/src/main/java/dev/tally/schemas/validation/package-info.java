/**
 * Checking record values against the event contract: {@link
 * dev.tally.schemas.validation.EventParser} on Tally's hot path, {@link
 * dev.tally.schemas.validation.JsonSchemaValidator} against the published schemas, and the {@link
 * dev.tally.schemas.validation.ReasonCode}s both report.
 */
package dev.tally.schemas.validation;
