print("ko")
