print("docker-credential-ko")
