print("scenefarm")
