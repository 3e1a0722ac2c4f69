"""Call engine: FastAGI transport, call flow, speech of dynamic content, slot client, AMI bridge."""
