"""The node.co.id API client: one transport (`transport.NodeClient`), the forensics on failed
requests, response decoding, the request checksum and the exception tree. No Pulumi import at
all: usable from any Python code."""
