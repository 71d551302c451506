print("receptor")
