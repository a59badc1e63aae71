import psycopg2
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return f"hello from flask, psycopg2 {psycopg2.__version__.split()[0]}\n"
