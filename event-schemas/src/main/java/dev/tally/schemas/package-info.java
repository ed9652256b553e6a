/** The event contract that producer teams code against. */
package dev.tally.schemas;
