# The dashboard as a container: docker build -t llm-econ . && docker run -p 8501:8501 llm-econ
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt && useradd --create-home --uid 10001 app
COPY app.py ./
COPY .streamlit ./.streamlit
COPY model ./model
COPY pages ./pages
COPY presets ./presets
COPY ui ./ui
USER app

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"
# STREAMLIT_SERVER_COOKIE_SECRET must be the same on every replica behind one load balancer.
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
