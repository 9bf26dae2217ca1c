/**
 * The events Switchboard fires for application code: public records, observed with CDI's
 * {@code @ObservesAsync} (docs/events.md). The same events feed the webhooks.
 */
package dev.switchboard.events;
